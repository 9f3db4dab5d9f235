import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateTexts, yaml } from '../../test/agents/fixtures/check.js';
import { defaultDeps } from '../agents/agents.command.js';
import { canonicalize, hashAgent, hashCanonical, stableStringify } from './agent.canonical.js';
import { parseAgentYaml } from './agent.parser.js';
import { validateAgents } from './agent.validator.js';

const ORIGINAL = yaml(
  '# Greets someone.',
  'name: greeter',
  'description: Says hello.',
  'nodes:',
  '  who:',
  '    block: input',
  '    inputs: { name: who, type: string, default: world }',
  '  greet:',
  '    block: text.template',
  '    inputs:',
  '      template: "Hello {{ who }}"',
  '    retry: { attempts: 3 }',
  '    timeout: 30s',
  '  out:',
  '    block: output',
  '    inputs: { name: greeting }',
  'links:',
  '  - who.value -> greet.values.who',
  '  - greet.text -> out.value',
  'notify: { on_success: [], on_failure: [] }',
);

// The same agent: other key order, comments, quoting, flow/block style, link forms and order,
// explicit defaults (retry backoff and delay, static on a link out of an input), durations in other units.
const REORDERED = yaml(
  'links:',
  '  - { from: greet.text, to: out.value }  # the result',
  '  - from: who.value',
  '    to: greet.values.who',
  '    static: true',
  'nodes:',
  '  out: { inputs: { name: "greeting" }, block: output }',
  '  greet:',
  '    timeout: 30000ms',
  '    retry:',
  '      delay: 1s',
  '      backoff: exponential',
  '      attempts: 3',
  '    inputs: { template: "Hello {{ who }}" }',
  '    block: text.template',
  '  who:',
  '    inputs:',
  '      default: world',
  '      type: string',
  '      name: who',
  '    block: input',
  "description: 'Says hello.'",
  'name: greeter',
);

function agentOf(text: string) {
  const result = validateTexts({ 'agents/greeter.yaml': text }).results[0]!;
  expect(result.problems).toEqual([]);
  return result.agent!;
}

describe('canonical form and content hash', () => {
  it('is a 64-character hex sha256', () => {
    expect(hashAgent(agentOf(ORIGINAL))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not change with comments, key order, formatting, link forms or spelled-out defaults', () => {
    const a = agentOf(ORIGINAL);
    const b = agentOf(REORDERED);
    expect(canonicalize(a)).toEqual(canonicalize(b));
    expect(hashAgent(a)).toBe(hashAgent(b));
  });

  it('makes retry defaults and static links out of inputs explicit', () => {
    const agent = agentOf(ORIGINAL);
    expect(agent.nodes.greet!.retry).toEqual({ attempts: 3, backoff: 'exponential', delay: 1000 });
    expect(agent.nodes.greet!.timeout).toBe(30_000);
    expect(agent.links.find((l) => l.from.node === 'who')!.static).toBe(true);
    expect(agent.links.find((l) => l.from.node === 'greet')!.static).toBe(false);
    expect(agent.notify).toBeUndefined();
  });

  it('changes with a real change of meaning', () => {
    const base = hashAgent(agentOf(ORIGINAL));
    const changes = [
      ORIGINAL.replace('Hello {{ who }}', 'Hi {{ who }}'),
      ORIGINAL.replace('default: world', 'default: there'),
      ORIGINAL.replace('attempts: 3', 'attempts: 4'),
      ORIGINAL.replace('timeout: 30s', 'timeout: 31s'),
      ORIGINAL.replace('Says hello.', 'Says hi.'),
      ORIGINAL.replace('  - greet.text -> out.value', '  - { from: greet.text, to: out.value, static: true }'),
      ORIGINAL.replace('on_failure: []', 'on_failure: [ops]'),
    ];
    const hashes = changes.map((text) => hashAgent(agentOf(text)));
    for (const hash of hashes) expect(hash).not.toBe(base);
    expect(new Set(hashes).size).toBe(changes.length);
  });

  it('keeps list order inside values (a list is not a set)', () => {
    const a = stableStringify({ b: [1, 2], a: { d: 1, c: 2 } });
    expect(a).toBe('{"a":{"c":2,"d":1},"b":[1,2]}');
    expect(stableStringify({ b: [2, 1] })).not.toBe(stableStringify({ b: [1, 2] }));
  });
});

describe('hashCanonical', () => {
  it("gives hashAgent's hash for the validator's (canonical) definitions, without canonicalizing again", async () => {
    const blocks = await defaultDeps.blocks();
    const dir = join(dirname(fileURLToPath(import.meta.url)), '../../agents');
    const files = [...readdirSync(dir).map((f) => join(dir, f)), ...readdirSync(join(dir, 'examples')).map((f) => join(dir, 'examples', f))].filter((f) =>
      f.endsWith('.yaml'),
    );
    const sources = files.map((file) => parseAgentYaml(readFileSync(file, 'utf8'), `agents/${basename(file)}`));
    const agents = [agentOf(ORIGINAL), agentOf(REORDERED), ...validateAgents(sources, { blocks }).results.flatMap((r) => (r.agent ? [r.agent] : []))];
    expect(agents.length).toBeGreaterThan(8);
    for (const agent of agents) expect(hashCanonical(agent)).toBe(hashAgent(agent));
    // A definition that is not canonical (links in another order) hashes apart: the shortcut is for canonical ones only.
    const loose = { ...agents[0]!, links: [...agents[0]!.links].reverse() };
    expect(hashCanonical(loose)).not.toBe(hashAgent(loose));
  });
});
