// `trellis analyze`, in-process with the real block library: one agent by name or file, a whole folder,
// JSON, the costs of config/costs.yaml, and clear exits for invalid agents, bad formats and bad paths.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { analyzeCommand, defaultAnalyzeDeps, type AnalyzeDeps } from '../../src/agents/analyze.command.js';
import { registerAnalyzeCommand } from '../../src/agents/analyze.command.js';
import { Command } from 'commander';
import { yaml } from './fixtures/check.js';
import { capture, tempProject } from './fixtures/cli.js';

const DIGEST = yaml(
  'name: digest',
  'vars: { api: "https://rows.example.com" }',
  'nodes:',
  '  weekly: { block: trigger.cron, inputs: { schedule: "0 8 * * 1" } }',
  '  fetch: { block: http.request, inputs: { url: "${{ vars.api }}/rows" }, retry: { attempts: 2, delay: 1s } }',
  '  each: { block: list.iterate }',
  '  post: { block: slack.post, credentials: { webhook: team-slack } }',
  'links:',
  '  - weekly.payload -> fetch.query',
  '  - fetch.json -> each.items',
  '  - each.item -> post.text',
);
const HELLO = yaml(
  'name: hello',
  'nodes:',
  '  who: { block: input, inputs: { name: who, default: world } }',
  '  greet: { block: text.template, inputs: { template: "Hello, {{ who }}!" } }',
  '  out: { block: output, inputs: { name: out } }',
  'links:',
  '  - who.value -> greet.values.who',
  '  - greet.text -> out.value',
);
const BROKEN = yaml('name: broken', 'nodes:', '  t: { block: text.templat }');

/** The real blocks and no config lookups; http.request costs 2 as if config/costs.yaml said so. */
const deps: AnalyzeDeps = {
  ...defaultAnalyzeDeps,
  lookups: async () => ({}),
  costs: async () => ({ blocks: { 'http.request': 2 }, models: {}, default_model_cost: 1 }),
};

describe('trellis analyze', () => {
  let project: ReturnType<typeof tempProject>;
  beforeAll(() => {
    project = tempProject({ 'agents/digest.yaml': DIGEST, 'agents/hello.yaml': HELLO, 'broken/broken.yaml': BROKEN });
  });
  afterAll(() => project.remove());

  it('prints an agent given by name: shape, credits per run (unbounded by a fan-out), the paid nodes and suggestions', async () => {
    const c = capture(project.dir);
    expect(await analyzeCommand('digest', 'text', c.io, deps)).toBe(0);
    expect(c.out()).toBe(
      [
        'digest (agents/digest.yaml)',
        '  4 nodes, 3 links; depth 4, 1 parallel branch',
        '  critical path: weekly -> fetch -> each -> post',
        '  credits per run: 2 to unbounded (a fan-out or a loop: it grows with the data)',
        '    fetch (http.request): 2 credits an attempt, up to 2 attempts, 1 run: 2 to 4',
        '    post (slack.post): 1 credit an attempt, 0 or more runs: 0 to unbounded',
        '  suggestions:',
        '    - node "post" (1 credit an attempt) runs once per value "each" yields: the cost grows with the data; batch_size on "each" hands it several items per run',
        '',
      ].join('\n'),
    );
    expect(c.err()).toBe('');
  });

  it('analyses every agent of a folder, and answers JSON with the file of each', async () => {
    const c = capture(project.dir);
    expect(await analyzeCommand(undefined, 'json', c.io, deps)).toBe(0);
    const answer = JSON.parse(c.out()) as Array<Record<string, unknown>>;
    expect(answer.map((a) => [a.file, a.agent, a.max_depth, a.cost])).toEqual([
      ['agents/digest.yaml', 'digest', 4, expect.objectContaining({ min: 2, max: null })],
      ['agents/hello.yaml', 'hello', 3, expect.objectContaining({ min: 0, max: 0 })],
    ]);
    expect(answer[1]).toMatchObject({ nodes: 3, links: 2, parallel_branches: 1, critical_path: ['who', 'greet', 'out'], suggestions: [] });
  });

  it('takes a file path', async () => {
    const c = capture(project.dir);
    expect(await analyzeCommand('agents/hello.yaml', 'text', c.io, deps)).toBe(0);
    expect(c.out()).toMatch(/^hello \(agents\/hello\.yaml\)\n {2}3 nodes, 2 links; depth 3, 1 parallel branch\n/);
  });

  it('exits 1 for a folder with an invalid agent, with its problems and what to do', async () => {
    const c = capture(project.dir);
    expect(await analyzeCommand('broken', 'text', c.io, deps)).toBe(1);
    expect(c.out()).toBe('');
    expect(c.err()).toContain('broken/broken.yaml:3:15: unknown block "text.templat"');
    expect(c.err()).toContain('broken/broken.yaml has errors; fix them to analyse it (trellis validate shows every problem)\n');
  });

  it('exits 2 for an unknown format, and for an agent that is not there', async () => {
    const c = capture(project.dir);
    expect(await analyzeCommand('hello', 'yaml', c.io, deps)).toBe(2);
    expect(c.err()).toBe('--format must be one of text, json, got "yaml"\n');

    const program = new Command().exitOverride();
    const d = capture(project.dir);
    registerAnalyzeCommand(program, deps, () => d.io);
    process.exitCode = 0;
    await program.parseAsync(['node', 'trellis', 'analyze', 'nobody']);
    expect(process.exitCode).toBe(2);
    process.exitCode = 0;
    expect(d.err()).toBe('no agent "nobody" in agents (agents there: digest, hello); give its name or a file path\n');
  });

  it("uses the blocks' own costs, with a note, when the configuration does not load", async () => {
    const bad = tempProject({ 'agents/hello.yaml': HELLO, 'config/default.yaml': 'server: [not, a, mapping]\n' });
    try {
      const c = capture(bad.dir, { TRELLIS_ENV: 'test' });
      expect(await analyzeCommand('hello', 'text', c.io, { ...defaultAnalyzeDeps, lookups: async () => ({}) })).toBe(0);
      expect(c.err()).toMatch(/^note: the configuration does not load, so costs are the blocks' own, not config\/costs\.yaml's:\n/);
    } finally {
      bad.remove();
    }
  });
});
