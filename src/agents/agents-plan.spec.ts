import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { blocks, validateTexts, yaml } from '../../test/agents/fixtures/check.js';
import { hashAgent } from '../agent-format/agent.canonical.js';
import { parseAgentYaml } from '../agent-format/agent.parser.js';
import { validateAgents } from '../agent-format/agent.validator.js';
import { attachCosts } from './agents-plan.cost.js';
import { diffAgents, hasChanges, preview } from './agents-plan.diff.js';
import { ParsedFilesCache, readAgentsFolder } from './agents-plan.folder.js';
import { renderPlanMarkdown } from './agents-plan.render.js';
import type { StoredGraphState } from '../graphs/graphs.repository.js';
import { attachChanges, classify, definitionsToCompare, summarize, type AgentsPlan } from './agents-plan.js';

const isTrigger = (block: string) => blocks.get(block)?.trigger === true;

function agent(name: string, { template = 'Hello {{ who }}', extra = [] as string[], links = [] as string[] } = {}): string {
  return yaml(
    `name: ${name}`,
    'nodes:',
    '  who:',
    '    block: input',
    '    inputs: { name: who, type: string, default: world }',
    '  greet:',
    '    block: text.template',
    `    inputs: { template: "${template}" }`,
    '  out:',
    '    block: output',
    '    inputs: { name: greeting }',
    ...extra,
    'links:',
    '  - who.value -> greet.values.who',
    '  - greet.text -> out.value',
    ...links,
  );
}

function definitionOf(text: string) {
  const result = validateTexts({ [`agents/${/^name: (\S+)/.exec(text)![1]}.yaml`]: text }).results[0]!;
  expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return result.agent!;
}

function stored(id: string, fields: Partial<StoredGraphState> = {}): StoredGraphState {
  return { id, source: 'file', active: true, active_version: 1, latest_version: 1, pinned_version: null, file: `${id}.yaml`, latest_hash: 'old', ...fields };
}

describe('classify', () => {
  /** Classifies folder texts (path -> text) against stored graphs, as sync does. */
  const run = (entries: Record<string, string>, graphs: StoredGraphState[]) => {
    const folder = Object.entries(entries).map(([path, text]) => ({ path, source: parseAgentYaml(text, `agents/${path}`) }));
    const report = validateAgents(
      folder.map((f) => f.source),
      { blocks },
    );
    return classify({ files: folder, report, stored: new Map(graphs.map((g) => [g.id, g])) });
  };

  it('plans create, update, unchanged, remove and invalid, agent by agent, sorted by name', () => {
    const same = agent('same');
    const result = run(
      { 'new.yaml': agent('new'), 'changed.yaml': agent('changed', { template: 'Hi {{ who }}' }), 'same.yaml': same, 'broken.yaml': agent('broken').replace('text.template', 'text.nope') },
      [stored('changed', { latest_version: 2, active_version: 2 }), stored('same', { latest_hash: hashAgent(definitionOf(same)) }), stored('gone', { latest_version: 4, active_version: 4 }), stored('broken', { active_version: 3, latest_version: 3 })],
    );
    expect(result.entries.map((e) => [e.name, e.action, e.version, e.active_version])).toEqual([
      ['broken', 'invalid', 3, 3],
      ['changed', 'update', 3, 3],
      ['gone', 'remove', 4, null],
      ['new', 'create', 1, 1],
      ['same', 'unchanged', 1, 1],
    ]);
    expect(result.removals).toEqual(['gone']);
    expect(result.writes.map((w) => [w.name, w.version?.number ?? null])).toEqual([
      ['new', 1],
      ['changed', 3],
    ]);
    expect(result.entries[0]!.problems[0]).toMatchObject({ file: 'agents/broken.yaml', line: 7, column: 12, severity: 'error' });
    expect(summarize(result.entries)).toEqual({ create: 1, update: 1, pinned: 0, unchanged: 1, remove: 1, invalid: 1 });
  });

  it('records a pinned graph without activating, reactivates a returning file, and follows a moved one', () => {
    const back = agent('back');
    const moved = agent('moved');
    const result = run(
      { 'pinned.yaml': agent('pinned', { template: 'v3' }), 'back.yaml': back, 'sub/moved.yaml': moved },
      [
        stored('pinned', { latest_version: 2, active_version: 1, pinned_version: 1 }),
        stored('back', { active: false, latest_hash: hashAgent(definitionOf(back)) }),
        stored('moved', { latest_hash: hashAgent(definitionOf(moved)) }),
      ],
    );
    const byName = Object.fromEntries(result.entries.map((e) => [e.name, e]));
    expect(byName.pinned).toMatchObject({ action: 'pinned', version: 3, active_version: 1, pinned_version: 1 });
    expect(byName.back).toMatchObject({ action: 'update', version: 1, active_version: 1, notes: ['reactivated: its file is back'] });
    expect(byName.moved).toMatchObject({ action: 'unchanged', file: 'sub/moved.yaml', notes: ['file moved from moved.yaml'] });
    expect(result.writes.map((w) => [w.name, w.activeVersion, w.latestVersion, w.version?.number ?? null, w.activates])).toEqual([
      ['pinned', 1, 3, 3, false],
      ['back', 1, 1, null, true],
      ['moved', 1, 1, null, false],
    ]);
  });

  it('refuses a file named like an API graph, and never removes API graphs', () => {
    const result = run({ 'taken.yaml': agent('taken') }, [stored('taken', { source: 'api', file: null }), stored('api-only', { source: 'api', file: null })]);
    expect(result.entries).toHaveLength(1);
    expect(result.entries[0]).toMatchObject({ name: 'taken', action: 'invalid' });
    expect(result.entries[0]!.problems).toEqual([expect.objectContaining({ pointer: '/name', line: 1, column: 7, message: expect.stringContaining('created through the API') })]);
    expect(result.writes).toEqual([]);
    expect(result.removals).toEqual([]);
  });

  it("takes an API graph over when the file is its content unchanged (a merged proposal), keeping its versions", () => {
    const text = agent('proposed');
    const hash = hashAgent(definitionOf(text));
    const result = run({ 'proposed.yaml': text }, [stored('proposed', { source: 'api', file: null, active_version: 2, latest_version: 2, latest_hash: hash })]);
    expect(result.entries).toEqual([expect.objectContaining({ name: 'proposed', action: 'update', version: 2, active_version: 2, notes: [expect.stringContaining('adopts the API graph')] })]);
    expect(result.writes).toEqual([expect.objectContaining({ name: 'proposed', file: 'proposed.yaml', activeVersion: 2, latestVersion: 2, adopts: true })]);
    expect(result.writes[0]!.version).toBeUndefined();
  });

  it('keeps a stored graph whose file no longer parses (its name comes from the file name)', () => {
    const result = run({ 'kept.yaml': 'name: kept\nnodes: [\n' }, [stored('kept')]);
    expect(result.entries).toEqual([expect.objectContaining({ name: 'kept', action: 'invalid', active_version: 1 })]);
    expect(result.removals).toEqual([]);
  });

  it('names the previous definitions it needs, and describes the changes with them', () => {
    const before = definitionOf(agent('changed'));
    const result = run({ 'changed.yaml': agent('changed', { template: 'Hi {{ who }}' }) }, [stored('changed')]);
    expect(definitionsToCompare(result)).toEqual([{ name: 'changed', version: 1 }]);
    attachChanges(result, new Map([['changed', before]]), isTrigger);
    expect(result.entries[0]!.changes!.nodes.changed).toEqual([{ node: 'greet', block: 'text.template', changes: ['inputs.template: "Hello {{ who }}" → "Hi {{ who }}"'] }]);
  });

  it('estimates credits per run of the versions a sync records, before and after; nothing for the unchanged', () => {
    const before = definitionOf(agent('changed'));
    const result = run({ 'changed.yaml': agent('changed', { template: 'Hi {{ who }}' }), 'fresh.yaml': agent('fresh'), 'same.yaml': agent('same') }, [stored('changed'), stored('same', { latest_hash: hashAgent(definitionOf(agent('same'))) })]);
    const estimate = (a: { nodes: Record<string, { inputs: Record<string, unknown> }> }) => ({ min: 1, max: String(a.nodes.greet!.inputs.template).startsWith('Hi') ? null : 2 });
    attachCosts(result, new Map([['changed', before]]), estimate);
    expect(result.entries.map((e) => [e.name, e.action, e.cost])).toEqual([
      ['changed', 'update', { before: { min: 1, max: 2 }, after: { min: 1, max: null } }],
      ['fresh', 'create', { before: null, after: { min: 1, max: 2 } }],
      ['same', 'unchanged', undefined],
    ]);
  });
});

describe('diffAgents', () => {
  it('tells nodes, triggers, links and settings apart', () => {
    const before = definitionOf(agent('xy', { extra: ['  hook:', '    block: trigger.webhook', '  old:', '    block: json.query', '    inputs: { expression: a, data: {} }'] }));
    const after = definitionOf(
      yaml(
        'name: xy',
        'description: now described',
        'concurrency: 2',
        'nodes:',
        '  who:',
        '    block: input',
        '    inputs: { name: who, type: string, default: everyone }',
        '  greet:',
        '    block: text.template',
        '    inputs: { template: "Hello {{ who }}" }',
        '    retry: { attempts: 3 }',
        '    timeout: 30s',
        '  out:',
        '    block: output',
        '    inputs: { name: greeting }',
        '  tick:',
        '    block: trigger.cron',
        '    inputs: { schedule: "0 9 * * *" }',
        '  new_node:',
        '    block: json.query',
        '    inputs: { expression: b }',
        'links:',
        '  - who.value -> greet.values.who',
        '  - greet.text -> new_node.data',
        '  - new_node.result -> out.value',
      ),
    );
    const changes = diffAgents(before, after, isTrigger);
    expect(changes.triggers).toEqual({ added: [{ node: 'tick', block: 'trigger.cron' }], removed: [{ node: 'hook', block: 'trigger.webhook' }], changed: [] });
    expect(changes.nodes.added).toEqual([{ node: 'new_node', block: 'json.query' }]);
    expect(changes.nodes.removed).toEqual([{ node: 'old', block: 'json.query' }]);
    expect(changes.nodes.changed).toEqual([
      { node: 'greet', block: 'text.template', changes: ['retry: none → 3 attempts, exponential from 1s', 'timeout: none → 30s'] },
      { node: 'who', block: 'input', changes: ['inputs.default: "world" → "everyone"'] },
    ]);
    expect(changes.links).toEqual({ added: ['greet.text -> new_node.data', 'new_node.result -> out.value'], removed: ['greet.text -> out.value'] });
    expect(changes.settings).toEqual(['description changed', 'concurrency: unlimited → 2']);
    expect(hasChanges(changes)).toBe(true);
    expect(hasChanges(diffAgents(before, before, isTrigger))).toBe(false);
  });

  it('shows vars added, changed and removed', () => {
    const base = (vars: string[]) => definitionOf(yaml('name: xy', ...vars, 'nodes:', '  out: { block: output, inputs: { name: r, value: 1 } }'));
    const changes = diffAgents(base(['vars: { api: https://a.example.com, old: 1 }']), base(['vars: { api: https://b.example.com, big: 100 }']), isTrigger);
    expect(changes.settings).toEqual(['vars.api: "https://a.example.com" → "https://b.example.com"', 'vars.big added: 100', 'vars.old removed (was 1)']);
    expect(hasChanges(diffAgents(base([]), base(['vars: { a: 1 }']), isTrigger))).toBe(true);
  });

  it('keeps previews of long values short', () => {
    expect(preview('x'.repeat(200))).toHaveLength(60);
    expect(preview(undefined)).toBe('nothing');
  });
});

describe('renderPlanMarkdown', () => {
  const base: AgentsPlan = { folder: 'agents', commit: 'a'.repeat(40), blocked: null, summary: { create: 0, update: 0, pinned: 0, unchanged: 0, remove: 0, invalid: 0 }, agents: [], integrations: [] };
  const entry = { file: null, version: null, previous_version: null, active_version: null, pinned_version: null, hash: null, notes: [], changes: null, problems: [] };

  it('shows a table of what changes, the details of updates and invalid files, and folds the unchanged', () => {
    const changes = { nodes: { added: [{ node: 'n', block: 'json.query' }], removed: [], changed: [{ node: 'g', block: 'text.template', changes: ['inputs.template: "a|b" → "c"'] }] }, triggers: { added: [], removed: [], changed: [] }, links: { added: ['a.b -> c.d'], removed: [] }, settings: ['owner: ops → dev'] };
    const agents: AgentsPlan['agents'] = [
      { ...entry, name: 'fresh', action: 'create', file: 'fresh.yaml', version: 1, active_version: 1 },
      { ...entry, name: 'labeler', action: 'update', file: 'labeler.yaml', version: 3, previous_version: 2, active_version: 3, changes },
      { ...entry, name: 'held', action: 'pinned', file: 'held.yaml', version: 5, previous_version: 4, active_version: 2, pinned_version: 2, notes: ['pinned to version 2'] },
      { ...entry, name: 'old', action: 'remove', file: 'old.yaml', version: 4 },
      { ...entry, name: 'broken', action: 'invalid', file: 'broken.yaml', active_version: 2, problems: [{ file: 'agents/broken.yaml', line: 4, column: 5, pointer: '/nodes/x', severity: 'error', message: 'unknown block "nope"' }] },
      { ...entry, name: 'steady', action: 'unchanged', file: 'steady.yaml', version: 1, active_version: 1 },
    ];
    const text = renderPlanMarkdown({ ...base, agents, summary: summarize(agents) });
    expect(text).toContain('Folder `agents` at commit `aaaaaaaaaaaa`: **1 to create, 1 to update, 1 pinned, 1 to remove, 1 invalid**, 1 unchanged.');
    expect(text).toContain('| `labeler` | update | v2 → v3 | `labeler.yaml` |');
    expect(text).toContain('| `held` | pinned | v5 recorded; v2 stays active | `held.yaml` |');
    expect(text).toContain('| `old` | remove | v4 deactivated | `old.yaml` |');
    expect(text).toContain('| `broken` | invalid | v2 stays active | `broken.yaml` |');
    expect(text).toContain('- added `n` (json.query)');
    expect(text).toContain('- changed `g` (text.template): inputs.template: "a\\|b" → "c"');
    expect(text).toContain('- added `a.b -> c.d`');
    expect(text).toContain('- owner: ops → dev');
    expect(text).toContain('- `agents/broken.yaml:4:5` unknown block "nope"');
    expect(text).toContain('<details><summary>1 unchanged agent</summary>');
    expect(text).not.toContain('| `steady`');
  });

  it('lists credits per run of created and changed agents, before → after, and leaves the table out when none has a cost', () => {
    const agents: AgentsPlan['agents'] = [
      { ...entry, name: 'fresh', action: 'create', file: 'fresh.yaml', version: 1, active_version: 1, cost: { before: null, after: { min: 0, max: 3 } } },
      { ...entry, name: 'loop', action: 'update', file: 'loop.yaml', version: 2, previous_version: 1, active_version: 2, cost: { before: { min: 1, max: 1 }, after: { min: 1, max: null } } },
      { ...entry, name: 'agentic', action: 'update', file: 'agentic.yaml', version: 2, previous_version: 1, active_version: 2, cost: { before: { min: 2, max: 2 }, after: { min: 2, max: 32, step_bounded: true } } },
    ];
    expect(renderPlanMarkdown({ ...base, agents, summary: summarize(agents) })).toContain(
      '| agent | before | after |\n|---|---|---|\n| `fresh` | new | 0 to 3 |\n| `loop` | 1 | 1 to unbounded |\n| `agentic` | 2 | 2 to at most 32 (max_steps) |\n',
    );
    const unpriced = agents.map(({ cost: _cost, ...rest }) => rest);
    expect(renderPlanMarkdown({ ...base, agents: unpriced, summary: summarize(unpriced) })).not.toContain('Credits per run');
  });

  it('says when a sync would not apply the plan, and when there is nothing at all', () => {
    expect(renderPlanMarkdown({ ...base, blocked: 'the folder is behind' })).toContain('> **A sync would not apply this plan:** the folder is behind');
    expect(renderPlanMarkdown({ ...base, commit: null })).toContain('Folder `agents`: **no changes**, 0 unchanged.\n\nNo agent files in the folder');
  });
});

describe('readAgentsFolder', () => {
  it('parses again only the files whose text changed since the last read, and forgets removed ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trellis-folder-'));
    try {
      writeFileSync(join(dir, 'a.yaml'), agent('a-agent'));
      writeFileSync(join(dir, 'b.yaml'), agent('b-agent'));
      const cache = new ParsedFilesCache();
      const first = readAgentsFolder(dir, dir, cache);
      expect(first.files.map((f) => [f.path, f.source.file])).toEqual([
        ['a.yaml', 'a.yaml'],
        ['b.yaml', 'b.yaml'],
      ]);
      writeFileSync(join(dir, 'b.yaml'), agent('b-agent', { template: 'changed' }));
      const second = readAgentsFolder(dir, dir, cache);
      expect(second.files[0]!.source).toBe(first.files[0]!.source);
      expect(second.files[1]!.source).not.toBe(first.files[1]!.source);
      expect((second.files[1]!.source.data as { nodes: { greet: { inputs: { template: string } } } }).nodes.greet.inputs.template).toBe('changed');
      rmSync(join(dir, 'a.yaml'));
      readAgentsFolder(dir, dir, cache);
      writeFileSync(join(dir, 'a.yaml'), agent('a-agent'));
      expect(readAgentsFolder(dir, dir, cache).files[0]!.source).not.toBe(first.files[0]!.source);
      expect(() => readAgentsFolder(join(dir, 'missing'), dir, cache)).toThrow(/The agents folder missing does not exist/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
