import { describe, expect, it } from '@jest/globals';
import type { BlockDefinition, BlockLookup } from '../blocks/block.types.js';
import { DEFAULT_ALLOW } from '../blocks/credential-policy.js';
import type { ConfigCredential } from '../config/config.schema.js';
import type { AgentDefinition } from '../agent-format/graph.types.js';
import { lostCredentialUsage } from './operator-credentials.notice.js';

const blocks: BlockLookup = {
  get: (id: string) =>
    (
      ({
        'llm.chat': {
          credentials: { llm: { provider: 'openai', providers: ['openai', 'anthropic', 'openai_compatible'], types: ['api_key'], optional: true } },
        },
        'github.comment': { credentials: { github: { provider: 'github', types: ['api_key'] } } },
        'text.template': {},
      }) as Record<string, Partial<BlockDefinition>>
    )[id] as BlockDefinition | undefined,
} as BlockLookup;

const credential = (allow = DEFAULT_ALLOW, fields: Record<string, string> = { key: 'k' }): ConfigCredential => ({
  provider: 'github',
  type: 'api_key',
  fields,
  env: {},
  allow,
  hosts: [],
});
const graph = (nodes: AgentDefinition['nodes']): AgentDefinition => ({ name: 'g', nodes, links: [] });

describe('the upgrade note: operator credentials ordinary users lost, with the API graphs that used them', () => {
  it('lists mapped names, names from execute requests and system defaults of unmapped fields, only for credentials users lost', () => {
    const usage = lostCredentialUsage(
      {
        'github-bot': credential(),
        'shared-bot': credential({ file_agents: true, roles: ['admin', 'user'], users: [] }),
        'default:openai': { ...credential(), provider: 'openai' },
        'default:anthropic': { ...credential(undefined, {}), provider: 'anthropic' },
      },
      [
        { graph_id: 'b-graph', definition: graph({ gh: { block: 'github.comment', inputs: {}, credentials: { github: 'github-bot' } } }), credentials: {} },
        {
          graph_id: 'a-graph',
          definition: graph({ gh: { block: 'github.comment', inputs: {}, credentials: {} } }),
          credentials: { gh: { github: 'github-bot' } },
        },
        { graph_id: 'c-graph', definition: graph({ gh: { block: 'github.comment', inputs: {}, credentials: { github: 'shared-bot' } } }), credentials: {} },
        {
          graph_id: 'd-graph',
          definition: graph({ ask: { block: 'llm.chat', inputs: {}, credentials: {} }, t: { block: 'text.template', inputs: {}, credentials: {} } }),
          credentials: {},
        },
      ],
      blocks,
    );
    expect(Object.fromEntries(usage)).toEqual({ 'github-bot': ['a-graph', 'b-graph'], 'default:openai': ['d-graph'] });
  });
});
