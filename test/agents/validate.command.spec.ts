// `trellis validate | render | schema`, run in-process through their exported functions.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { defaultDeps, renderCommand, schemaCommand, validateCommand } from '../../src/agents/agents.command.js';
import { goodAgent, yaml } from './fixtures/check.js';
import { capture, fixtureDeps, tempProject } from './fixtures/cli.js';

const GOOD = goodAgent();
const WARNS = yaml('name: warns', 'owner: ops', 'nodes:', '  t:', '    block: text.template', '    inputs: { template: hi }');
const BAD = yaml('name: bad', 'nodes:', '  t:', '    block: text.templat', '  u:', '    block: output', '    inputs: { name: "x,y" }');

describe('trellis validate', () => {
  let good: ReturnType<typeof tempProject>;
  let bad: ReturnType<typeof tempProject>;
  beforeAll(() => {
    good = tempProject({ 'agents/good.yaml': GOOD, 'agents/team/warns.yml': WARNS, 'agents/README.md': '# not an agent' });
    bad = tempProject({ 'agents/good.yaml': GOOD, 'agents/bad.yaml': BAD });
  });
  afterAll(() => {
    good.remove();
    bad.remove();
  });

  it('exits 0 when only warnings are found, and prints them as path:line:col', async () => {
    const c = capture(good.dir);
    expect(await validateCommand(undefined, 'text', c.io, fixtureDeps())).toBe(0);
    expect(c.out()).toBe('agents/team/warns.yml:2:8: warning: owner "ops" can\'t be checked without a database; sync checks that the user exists\n');
    expect(c.err()).toBe('2 agents checked: 2 valid, 0 invalid; 0 errors, 1 warning\n');
  });

  it('exits 1 on errors, printing each as path:line:col: message', async () => {
    const c = capture(bad.dir);
    expect(await validateCommand('agents', 'text', c.io, fixtureDeps())).toBe(1);
    expect(c.out().split('\n').filter(Boolean)).toEqual([
      'agents/bad.yaml:4:12: unknown block "text.templat". Did you mean "text.template"? List them with "trellis blocks".',
      'agents/bad.yaml:5:3: node "u" (output) needs its input "value": set it under inputs, or link a value to u.value',
      'agents/bad.yaml:7:21: the output name "x,y" must be lower-case letters, digits and _, starting with a letter',
    ]);
    expect(c.err()).toBe('2 agents checked: 1 valid, 1 invalid; 3 errors, 0 warnings\n');
  });

  it('prints GitHub annotations with --format github, escaping the message', async () => {
    const c = capture(bad.dir);
    expect(await validateCommand('agents', 'github', c.io, fixtureDeps())).toBe(1);
    expect(c.out().split('\n').filter(Boolean)).toEqual([
      '::error file=agents/bad.yaml,line=4,col=12::unknown block "text.templat". Did you mean "text.template"? List them with "trellis blocks".',
      '::error file=agents/bad.yaml,line=5,col=3::node "u" (output) needs its input "value": set it under inputs, or link a value to u.value',
      '::error file=agents/bad.yaml,line=7,col=21::the output name "x,y" must be lower-case letters, digits and _, starting with a letter',
    ]);
    const w = capture(good.dir);
    expect(await validateCommand(undefined, 'github', w.io, fixtureDeps())).toBe(0);
    expect(w.out()).toBe("::warning file=agents/team/warns.yml,line=2,col=8::owner \"ops\" can't be checked without a database; sync checks that the user exists\n");
  });

  it('prints JSON with --format json: every file, its hash when valid, its problems', async () => {
    const c = capture(bad.dir);
    expect(await validateCommand('agents', 'json', c.io, fixtureDeps())).toBe(1);
    const report = JSON.parse(c.out()) as { ok: boolean; errors: number; files: Array<{ file: string; name: string; ok: boolean; hash: string | null; problems: unknown[] }> };
    expect(report).toMatchObject({ ok: false, errors: 3, warnings: 0 });
    expect(report.files).toEqual([
      expect.objectContaining({ file: 'agents/bad.yaml', name: 'bad', ok: false, hash: null }),
      expect.objectContaining({ file: 'agents/good.yaml', name: 'good', ok: true, hash: expect.stringMatching(/^[0-9a-f]{64}$/), problems: [] }),
    ]);
    expect(report.files[0]!.problems[0]).toEqual({
      file: 'agents/bad.yaml',
      line: 4,
      column: 12,
      pointer: '/nodes/t/block',
      node: 't',
      message: expect.stringContaining('unknown block'),
      severity: 'error',
    });
  });

  it('reads AGENTS_DIR, refuses an unknown format, and explains a missing folder', async () => {
    const c = capture(good.dir, { AGENTS_DIR: 'agents/team' });
    expect(await validateCommand(undefined, 'text', c.io, fixtureDeps())).toBe(0);
    expect(c.err()).toContain('1 agent checked');
    const f = capture(good.dir);
    expect(await validateCommand(undefined, 'xml', f.io, fixtureDeps())).toBe(2);
    expect(f.err()).toBe('--format must be one of text, github, json, got "xml"\n');
    await expect(validateCommand('nowhere', 'text', capture(good.dir).io, fixtureDeps())).rejects.toThrow('nowhere does not exist: give the agents folder (default ./agents, or AGENTS_DIR) or an agent file');
  });

  it('refuses a retry.on code the block never fails with, with the real blocks: line:col, the nearest code, the block\'s codes', async () => {
    const fetch = (on: string) =>
      yaml('name: fetcher', 'nodes:', '  get:', '    block: http.request', '    inputs: { url: "https://rows.example.com/rows" }', `    retry: { attempts: 3, on: ${on} }`);
    const project = tempProject({ 'agents/fetcher.yaml': fetch('[transient, HTTP_STAUS]'), 'agents/fine.yaml': fetch('[transient, HTTP_STATUS]').replace('fetcher', 'fine') });
    try {
      const deps = { ...fixtureDeps(), blocks: defaultDeps.blocks };
      const c = capture(project.dir);
      expect(await validateCommand('agents', 'text', c.io, deps)).toBe(1);
      const lines = c.out().split('\n').filter(Boolean);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^agents\/fetcher\.yaml:6:43: retry\.on lists HTTP_STAUS, which http\.request never fails with, so it would never be retried\. Did you mean "HTTP_STATUS"\? Node "get" \(http\.request\) fails with: .*HTTP_STATUS, .*OUTBOUND_REQUEST_FAILED \(transient\)/,
      );
      expect(c.err()).toBe('2 agents checked: 1 valid, 1 invalid; 1 error, 0 warnings\n');
    } finally {
      project.remove();
    }
  });

  it('validates one file given as the path', async () => {
    const c = capture(bad.dir);
    expect(await validateCommand('agents/good.yaml', 'text', c.io, fixtureDeps())).toBe(0);
    expect(c.err()).toBe('1 agent checked: 1 valid, 0 invalid; 0 errors, 0 warnings\n');
  });
});

describe('trellis render and trellis schema', () => {
  let project: ReturnType<typeof tempProject>;
  beforeAll(() => {
    project = tempProject({ 'agents/good.yaml': GOOD, 'agents/bad.yaml': BAD, 'elsewhere/good.yaml': GOOD });
  });
  afterAll(() => project.remove());

  it('renders an agent by name as Mermaid, and a file as SVG', async () => {
    const c = capture(project.dir);
    expect(await renderCommand('good', 'mermaid', c.io, fixtureDeps())).toBe(0);
    expect(c.out()).toContain('n_t["t<br/>text.template"]');
    expect(c.out()).toContain('n_t -->|"text → value"| n_out');
    const s = capture(project.dir);
    expect(await renderCommand('elsewhere/good.yaml', 'svg', s.io, fixtureDeps())).toBe(0);
    expect(s.out()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });

  it('refuses to render an invalid agent, printing its problems', async () => {
    const c = capture(project.dir);
    expect(await renderCommand('bad', 'mermaid', c.io, fixtureDeps())).toBe(1);
    expect(c.out()).toBe('');
    expect(c.err()).toContain('agents/bad.yaml:4:12: unknown block');
    expect(c.err()).toContain('agents/bad.yaml has errors; fix them to render it');
  });

  it('explains an unknown agent and an unknown format', async () => {
    await expect(renderCommand('nope', 'mermaid', capture(project.dir).io, fixtureDeps())).rejects.toThrow('no agent "nope" in agents (agents there: bad, good); give its name or a file path');
    const c = capture(project.dir);
    expect(await renderCommand('good', 'png', c.io, fixtureDeps())).toBe(2);
    expect(c.err()).toContain('--format must be one of mermaid, svg');
  });

  it('prints the JSON Schema', async () => {
    const c = capture(project.dir);
    expect(await schemaCommand(c.io, fixtureDeps())).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject({ $schema: 'http://json-schema.org/draft-07/schema#', required: ['name', 'nodes'] });
  });
});
