import { describe, expect, it } from '@jest/globals';
import { blocks, validateTexts, yaml } from '../../test/agents/fixtures/check.js';
import { hashAgent } from '../agent-format/agent.canonical.js';
import { agentSourceFromJson } from '../agent-format/agent.parser.js';
import { validateAgent } from '../agent-format/agent.validator.js';
import { toAgentDocument, triggerNodes, triggerViews } from './graph.document.js';

const TEXT = yaml(
  'name: round-trip',
  'description: Everything the format has.',
  'concurrency: 2',
  'timeout: 10m',
  'max_parallel: 4',
  'nodes:',
  '  pr:',
  '    block: trigger.github',
  '    inputs: { events: [pull_request.opened], repository: acme/app }',
  '  who:',
  '    block: input',
  '    inputs: { name: who, type: string, default: world }',
  '  greet:',
  '    block: text.template',
  '    description: says hello',
  '    inputs: { template: "Hello {{ who }} {{ n }}" }',
  '    retry: { attempts: 3, backoff: fixed, delay: 1500ms, max_delay: 1m }',
  '    timeout: 45s',
  '  out:',
  '    block: output',
  '    inputs: { name: greeting }',
  'links:',
  '  - who.value -> greet.values.who',
  '  - pr.payload.number -> greet.values.n',
  '  - { from: greet.text, to: out.value, static: true }',
  'tests:',
  '  - name: greets',
  '    inputs: { who: Ada }',
  '    expect: { status: COMPLETED }',
);

const isTrigger = (block: string) => blocks.get(block)?.trigger === true;

describe('toAgentDocument', () => {
  const agent = validateTexts({ 'agents/round-trip.yaml': TEXT }).results[0]!.agent!;

  it('writes durations as text and links in the file form', () => {
    const doc = toAgentDocument(agent);
    expect(doc).toMatchObject({ timeout: '10m', concurrency: 2, max_parallel: 4 });
    expect((doc.nodes as Record<string, unknown>).greet).toEqual({
      block: 'text.template',
      description: 'says hello',
      inputs: { template: 'Hello {{ who }} {{ n }}' },
      credentials: {},
      retry: { attempts: 3, backoff: 'fixed', delay: '1500ms', max_delay: '1m' },
      timeout: '45s',
    });
    expect(doc.links).toEqual([
      { from: 'greet.text', to: 'out.value', static: true },
      'pr.payload.number -> greet.values.n',
      { from: 'who.value', to: 'greet.values.who', static: true },
    ]);
  });

  it('reads back (as a JSON body) to the same canonical form and hash', () => {
    const again = validateAgent(agentSourceFromJson(JSON.parse(JSON.stringify(toAgentDocument(agent)))), { blocks });
    expect(again.problems).toEqual([]);
    expect(hashAgent(again.agent!)).toBe(hashAgent(agent));
  });

  it('lists the trigger nodes with their constant inputs', () => {
    expect(triggerViews(agent, isTrigger)).toEqual([{ node: 'pr', block: 'trigger.github', events: ['pull_request.opened'], repository: 'acme/app' }]);
    expect(triggerNodes(agent, isTrigger).map((t) => t.node)).toEqual(['pr']);
  });
});
