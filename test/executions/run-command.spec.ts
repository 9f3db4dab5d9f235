// `trellis run` in-process, through its exported function, with the real block library and the in-memory
// runner: live lines, outputs, --json, exit codes, and every bad command line.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { checkInputs, defaultRunDeps, parseInputPairs, runCommand, type RunCommandDeps } from '../../src/agents/run.command.js';
import { AGENTS, capture, ROOT, tempProject, type TempProject } from './run-command.fixtures.js';

/** The real blocks and HTTP; no config/ (a temporary folder has none), so defaults apply. */
const deps: RunCommandDeps = { ...defaultRunDeps, config: async () => null };
/** `prefix` then a duration as the CLI prints it ("0 ms", "840 ms", "1.22 s": a busy machine crosses a second). */
const line = (prefix: string) => new RegExp(`^${prefix.replace(/[.()]/g, '\\$&')} \\d+(\\.\\d+)? m?s$`);

describe('trellis run (in-process)', () => {
  let project: TempProject;
  beforeAll(() => {
    project = tempProject(AGENTS);
  });
  afterAll(() => project.remove());

  it('runs the example hello-world agent by name, with a live line per node and the outputs at the end', async () => {
    const c = capture(ROOT, { AGENTS_DIR: 'agents' });
    expect(await runCommand('hello-world', { input: ['who=Ada'], json: false }, c.io, deps)).toBe(0);
    const lines = c.out().split('\n');
    expect(lines).toContainEqual(expect.stringMatching(line('  ✓ who (input) COMPLETED in')));
    expect(lines).toContainEqual('  ▸ greet (text.template) started');
    expect(lines).toContainEqual(expect.stringMatching(line('  ✓ greet (text.template) COMPLETED in')));
    expect(lines.indexOf('  ▸ greet (text.template) started')).toBeLessThan(lines.findIndex((l) => l.includes('✓ greet')));
    expect(lines).toContainEqual(expect.stringMatching(line('hello-world: COMPLETED in')));
    expect(c.out().endsWith('outputs:\n  greeting: ["Hello, Ada!"]\n')).toBe(true);
    expect(c.err()).toBe('');
    expect(existsSync(join(ROOT, 'agents', '.trellis'))).toBe(false);
  });

  it('runs an agent by file path, parsing --input values as JSON when they parse', async () => {
    const c = capture(project.dir);
    expect(await runCommand('agents/double.yaml', { input: ['n=21', 'label="twice"'], json: false }, c.io, deps)).toBe(0);
    expect(c.out()).toContain('outputs:\n');
    expect(c.out()).toContain('\n  doubled: [42]\n');
    expect(c.out()).toContain('\n  label: ["twice"]\n');
    const text = capture(project.dir);
    expect(await runCommand('double', { input: ['n=4', 'label=not json'], json: false }, text.io, deps)).toBe(0);
    expect(text.out()).toContain('\n  doubled: [8]\n');
    expect(text.out()).toContain('\n  label: ["not json"]\n');
  });

  it('prints one JSON document with --json', async () => {
    const c = capture(project.dir);
    expect(await runCommand('double', { input: ['n=5'], json: true }, c.io, deps)).toBe(0);
    const document = JSON.parse(c.out());
    expect(document).toMatchObject({
      agent: 'double',
      status: 'COMPLETED',
      outputs: { doubled: [10], label: ['result'] },
      error: null,
      duration_ms: expect.any(Number),
    });
    expect(document.node_executions.map((n: { node_id: string; status: string }) => [n.node_id, n.status])).toEqual(
      expect.arrayContaining([
        ['n', 'COMPLETED'],
        ['twice', 'COMPLETED'],
        ['result', 'COMPLETED'],
      ]),
    );
    expect(document.node_executions.find((n: { node_id: string }) => n.node_id === 'twice')).toMatchObject({
      block: 'json.query',
      inputs: { data: 5 },
      outputs: { result: [10] },
    });
  });

  it('exits 1 when the agent fails, with the short error on the node line and the execution error', async () => {
    const c = capture(project.dir);
    expect(await runCommand('fails', { input: [], json: false }, c.io, deps)).toBe(1);
    expect(c.out()).toMatch(/ {2}✗ check \(json.query\) FAILED in \d+ ms: EXPRESSION_ERROR: .*the order has no id/);
    expect(c.out()).toMatch(/fails: FAILED in \d+ ms\nerror: EXPRESSION_ERROR at node check: .*the order has no id/);
    expect(c.out()).toContain('outputs:\n  out: []\n');
    const json = capture(project.dir);
    expect(await runCommand('fails', { input: [], json: true }, json.io, deps)).toBe(1);
    expect(JSON.parse(json.out())).toMatchObject({ status: 'FAILED', error: { code: 'EXPRESSION_ERROR', node_id: 'check' }, outputs: { out: [] } });
  });

  it('exits 1 with the problems at path:line:col when the agent is invalid', async () => {
    const c = capture(project.dir);
    expect(await runCommand('broken/typo.yaml', { input: [], json: false }, c.io, deps)).toBe(1);
    expect(c.err()).toContain('broken/typo.yaml:4:12: unknown block "text.templat". Did you mean "text.template"?');
    expect(c.err()).toContain('broken/typo.yaml has errors; fix them to run it');
    expect(c.out()).toBe('');
  });

  it('exits 2 with a clear message for a missing required input, an unknown input or a malformed pair', async () => {
    const missing = capture(project.dir);
    expect(await runCommand('double', { input: [], json: false }, missing.io, deps)).toBe(2);
    expect(missing.err()).toBe('double needs the required input n (no default): give it as --input n=<value>\n');
    expect(missing.out()).toBe('');
    const unknown = capture(project.dir);
    expect(await runCommand('double', { input: ['n=1', 'm=2'], json: true }, unknown.io, deps)).toBe(2);
    expect(unknown.err()).toBe('--input m: double has no input "m"; its inputs are: label, n\n');
    const malformed = capture(project.dir);
    expect(await runCommand('double', { input: ['n'], json: false }, malformed.io, deps)).toBe(2);
    expect(malformed.err()).toContain('--input "n" is not name=value');
  });

  it('exits 2 for an agent that is neither a file nor a name in the folder', async () => {
    const c = capture(project.dir);
    expect(await runCommand('nope', { input: [], json: false }, c.io, deps)).toBe(2);
    expect(c.err()).toBe('no agent "nope" in agents (agents there: double, fails); give its name or a file path\n');
  });

  it('parses input pairs and checks them against the input nodes', () => {
    expect(parseInputPairs(['a=1', 'b=x=y', 'c={"k":[1]}', 'd=', 'e=true'])).toEqual({
      inputs: { a: 1, b: 'x=y', c: { k: [1] }, d: '', e: true },
      problems: [],
    });
    expect(parseInputPairs(['a=1', 'a=2']).problems).toEqual(['--input a is given twice; give each input once']);
    const agent = {
      name: 'x',
      nodes: { p: { block: 'input', inputs: { name: 'p' }, credentials: {} }, q: { block: 'input', inputs: { name: 'q' }, credentials: {} } },
      links: [],
    };
    expect(checkInputs(agent, {})).toEqual(['x needs the required inputs p, q (no default): give them as --input p=<value> --input q=<value>']);
  });
});
