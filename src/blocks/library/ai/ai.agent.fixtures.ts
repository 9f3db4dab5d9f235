// What ai.agent's specs (ai.agent.spec.ts, ai.agent.resume.spec.ts) share: an OpenAI and an Anthropic peer, an HTTP
// API for the tools to call (with operator credentials only alice, or only bob, may use), `agent` to run the block
// over them, and `toolCalls` to script a model turn that asks for tools. The peers are exported as live bindings:
// they are set once the first file's beforeAll has started them.
import { afterAll, beforeAll } from '@jest/globals';
import { apiKey, blockHarness } from '../../../../test/blocks/peers/block-context.js';
import { sendJson, startHttpPeer, type HttpPeer } from '../../../../test/blocks/peers/http-peer.js';
import { openAiRawToolCalls, startLlmPeer, type LlmPeer, type ScriptedAnswer } from '../../../../test/blocks/peers/llm-peers.js';
import { blockToolPort, type AgentCheckpointStore } from '../../agent-tools.runner.js';
import type { BlockContext, ResolvedCredential } from '../../block.types.js';
import { ChainedCredentialResolver, ConfigCredentialSource, type CredentialResolver } from '../../credential-resolver.js';
import { BlocksRegistry } from '../../blocks.registry.js';
import { BLOCK_LIBRARY } from '../index.js';
import { aiAgentBlock } from './ai.agent.js';

const blocks = new BlocksRegistry(BLOCK_LIBRARY);
export let openai: LlmPeer;
export let anthropic: LlmPeer;
export let api: HttpPeer;

let resolver: CredentialResolver;
/** Answers the pending `/slow` request of the tool API. */
export let hang: (() => void) | undefined;
const waiting: (() => void)[] = [];
let TOOLS: Record<string, unknown>[];

async function startPeers(): Promise<void> {
  openai = await startLlmPeer('/v1/chat/completions');
  anthropic = await startLlmPeer('/v1/messages');
  api = await startHttpPeer((req, res) => {
    if (req.url.startsWith('/slow')) return void (hang = () => sendJson(res, 200, { slow: true }));
    if (req.url.startsWith('/pair')) {
      // Answers only once both calls of the pair have arrived: they must run together.
      waiting.push(() => sendJson(res, 200, { pair: req.url }));
      if (waiting.length === 2) for (const answer of waiting.splice(0)) answer();
      return;
    }
    sendJson(res, 200, { path: req.url, auth: req.headers.authorization ?? null });
  });
  const host = `http://127.0.0.1:${api.port}`;
  // Operator credentials: `ops-token` may be used by alice only; `their-token` by bob only.
  const allowOnly = (user: string) => ({ file_agents: false, roles: [], users: [user] });
  const operator = new ConfigCredentialSource({
    'ops-token': { provider: 'http', type: 'api_key', fields: { key: 'alice-secret-token-1' }, env: {}, allow: allowOnly('alice'), hosts: [host] },
    'their-token': { provider: 'http', type: 'api_key', fields: { key: 'bob-secret-token-22' }, env: {}, allow: allowOnly('bob'), hosts: [host] },
  });
  const chained = new ChainedCredentialResolver([operator], null);
  // As the database resolver does: the execution's user's handle decides.
  resolver = { resolve: (request) => chained.resolve({ ...request, asker: { userId: request.userId, handle: request.userId, role: 'user' } }) };
  TOOLS = [
    { name: 'fetch', block: 'http.request', hosts: [host], credentials: { auth: 'ops-token' }, description: 'GET a URL' },
    { name: 'join', block: 'text.join', inputs: { separator: '+' } },
  ];
}

/**
 * Starts the peers before the file's tests and closes them after. Files of one bundle (test/bundles) register their
 * hooks side by side at the top level, so the first start and the last close count.
 */
let users = 0;
export function useAgentPeers(): void {
  beforeAll(async () => {
    if (users++ === 0) await startPeers();
  });
  afterAll(async () => {
    if (--users === 0) await Promise.all([openai.close(), anthropic.close(), api.close()]);
  });
}

export async function agent(
  inputs: Record<string, unknown>,
  user = 'alice',
  llm: ResolvedCredential = apiKey('sk-test-123', 'openai', 'team-openai'),
  more: { signal?: AbortSignal; checkpoints?: AgentCheckpointStore; nodeExecutionId?: string; charge?: BlockContext['charge'] } = {},
) {
  const harness = blockHarness({
    credentials: { llm },
    settings: { openaiBaseUrl: `${openai.url}/v1`, anthropicBaseUrl: anthropic.url },
    ...(more.signal ? { signal: more.signal } : {}),
  });
  harness.context.userId = user;
  if (more.nodeExecutionId) harness.context.nodeExecutionId = more.nodeExecutionId;
  if (more.charge) harness.context.charge = more.charge;
  harness.context.agentTools = blockToolPort(harness.context, { blocks, resolver, ...(more.checkpoints ? { checkpoints: more.checkpoints } : {}) });
  try {
    return await harness.outputs(aiAgentBlock, { model: 'gpt-4.1-mini', task: 'Do the thing', tools: TOOLS, ...inputs });
  } finally {
    await harness.close();
  }
}

export function toolCalls(calls: { id: string; name: string; arguments: string }[], usage = { prompt_tokens: 50, completion_tokens: 10 }): ScriptedAnswer {
  return openAiRawToolCalls(calls, usage);
}
