import { describe, expect, it } from '@jest/globals';
import { summarize, type AgentsPlan, type PlanEntry } from '../../agents/agents-plan.js';
import { renderPlanMarkdown } from '../../agents/agents-plan.render.js';
import { ExpiringTokenCache, TOKEN_REFRESH_MARGIN_MS } from './gitops-auth.js';
import {
  annotations,
  DETAILED_VERSIONS,
  fitted,
  PLAN_MARKDOWN_LIMIT,
  pushStatusLine,
  renderPullRequestCheck,
  renderPullRequestComment,
} from './gitops-comment.js';
import { isAgentFile } from './gitops-folder.js';

function entry(name: string, action: PlanEntry['action'], problems: PlanEntry['problems'] = []): PlanEntry {
  return {
    name,
    action,
    file: `${name}.yaml`,
    version: null,
    previous_version: null,
    active_version: null,
    pinned_version: null,
    hash: null,
    notes: [],
    changes: null,
    problems,
  };
}

const plan: AgentsPlan = {
  folder: 'agents',
  commit: 'a'.repeat(40),
  blocked: null,
  summary: { create: 1, update: 0, pinned: 0, unchanged: 0, remove: 0, invalid: 1 },
  agents: [
    entry('fresh', 'create', [{ message: 'node x is never used', pointer: '/nodes/x', severity: 'warning', line: 3 }]),
    entry('nightly', 'invalid', [
      { message: 'unknown block "text.templat"', pointer: '/nodes/x/block', severity: 'error', line: 4, column: 12 },
      { message: 'no nodes', pointer: '', severity: 'error' },
    ]),
  ],
  integrations: [],
};

describe('gitops feedback', () => {
  it('annotates each problem at its repository path, line and column (line 1 when it has none)', () => {
    expect(annotations(plan, 'teams/agents')).toEqual([
      expect.objectContaining({ path: 'teams/agents/fresh.yaml', start_line: 3, end_line: 3, annotation_level: 'warning' }),
      expect.objectContaining({ path: 'teams/agents/nightly.yaml', start_line: 4, start_column: 12, end_column: 12, annotation_level: 'failure' }),
      expect.objectContaining({ path: 'teams/agents/nightly.yaml', start_line: 1, end_line: 1, annotation_level: 'failure', message: 'no nodes' }),
    ]);
    expect(annotations(plan, 'agents')[0]).not.toHaveProperty('start_column');
  });

  it('concludes failure when only an integration is invalid (its change would break an agent)', () => {
    const integration = {
      name: 'pets',
      action: 'invalid' as const,
      file: 'integrations/pets.yaml',
      version: 1,
      previous_version: 1,
      operations: { added: [], changed: [], removed: ['pets.delete_pet'] },
      notes: ['skipped: version 1 stays'],
      problems: [{ pointer: '', severity: 'error' as const, message: 'removes operation pets.delete_pet, which agent cleanup uses' }],
    };
    const only: AgentsPlan = { ...plan, summary: { ...plan.summary, invalid: 0 }, agents: [entry('fresh', 'create')], integrations: [integration] };
    const check = renderPullRequestCheck({ sha: 'b'.repeat(40), folder: 'agents', plan: only, planMarkdown: '## plan\n', diagrams: [] });
    expect(check).toMatchObject({ conclusion: 'failure', title: '1 invalid integration, 1 error' });
    expect(check.summary).toMatch(/Validation failed.*1 invalid integration.*last good version/);
  });

  it('concludes failure when a file is invalid, and keeps outputs within GitHub’s 65,535 characters', () => {
    const check = renderPullRequestCheck({ sha: 'b'.repeat(40), folder: 'agents', plan, planMarkdown: `## plan\n${'| row |\n'.repeat(20_000)}`, diagrams: [] });
    expect(check).toMatchObject({ conclusion: 'failure', title: '1 invalid agent file, 2 errors' });
    expect(check.summary.length).toBeLessThanOrEqual(65_535);
    expect(check.summary).toContain('cut here');
    const comment = renderPullRequestComment({
      sha: 'b'.repeat(40),
      folder: 'agents',
      plan,
      planMarkdown: 'x\n'.repeat(40_000),
      diagrams: [{ name: 'fresh', mermaid: 'graph TD\n' + 'a-->b\n'.repeat(5_000) }],
    });
    expect(comment.length).toBeLessThanOrEqual(65_535);
    expect(comment).toContain('1 diagram left out');
    expect(fitted('short')).toBe('short');
  });

  it("shows each changed agent's credits per run, before → after, in the comment and in the check run's summary", () => {
    const priced: AgentsPlan = {
      ...plan,
      summary: { ...plan.summary, update: 1 },
      agents: [
        { ...entry('fresh', 'create'), cost: { before: null, after: { min: 2, max: 2 } } },
        { ...entry('nightly', 'update'), cost: { before: { min: 1, max: 3 }, after: { min: 1, max: null } } },
      ],
    };
    const input = { sha: 'b'.repeat(40), folder: 'agents', plan: priced, planMarkdown: renderPlanMarkdown(priced), diagrams: [] };
    const table = '| agent | before | after |\n|---|---|---|\n| `fresh` | new | 2 |\n| `nightly` | 1 to 3 | 1 to unbounded |\n';
    expect(renderPullRequestComment(input)).toContain(table);
    expect(renderPullRequestCheck(input).summary).toContain(table);
  });

  it('renders a plan too long for GitHub only as far as the check and the comment show it, and they read as if it were rendered whole', () => {
    const changes = {
      nodes: { added: [], removed: [], changed: [{ node: 'g', block: 'text.template', changes: ['inputs.template: "a" → "b"'] }] },
      triggers: { added: [], removed: [], changed: [] },
      links: { added: [], removed: [] },
      settings: [],
    };
    const agents = Array.from({ length: 3_000 }, (_, i) => ({
      ...entry(`agent-${i}`, 'update'),
      version: 2,
      previous_version: 1,
      active_version: 2,
      changes,
      cost: { before: { min: 1, max: 1 }, after: { min: 2, max: 2 } },
    }));
    const big: AgentsPlan = { ...plan, agents, summary: summarize(agents) };
    const whole = renderPlanMarkdown(big);
    const partial = renderPlanMarkdown(big, PLAN_MARKDOWN_LIMIT);
    expect(partial.length).toBeLessThan(PLAN_MARKDOWN_LIMIT + 500);
    expect(whole.startsWith(partial)).toBe(true);
    const input = (planMarkdown: string) => ({ sha: 'b'.repeat(40), folder: 'agents', plan: big, planMarkdown, diagrams: [] });
    expect(renderPullRequestCheck(input(partial))).toEqual(renderPullRequestCheck(input(whole)));
    expect(renderPullRequestComment(input(partial))).toEqual(renderPullRequestComment(input(whole)));
    expect(renderPullRequestCheck(input(partial)).summary).toMatch(/cut here: GitHub takes at most 65,535 characters/);
    // A short plan is rendered whole.
    expect(renderPlanMarkdown(plan, PLAN_MARKDOWN_LIMIT)).toBe(renderPlanMarkdown(plan));
  });

  it('says how many changed agents no diagram draws, in the comment and in the check run', () => {
    const input = {
      sha: 'b'.repeat(40),
      folder: 'agents',
      plan,
      planMarkdown: '## plan\n',
      diagrams: [{ name: 'fresh', mermaid: 'graph TD\na-->b\n' }],
      diagramsLeftOut: 9_975,
    };
    const note = '_… and 9975 more changed agents not drawn here: `trellis render <agent>` draws one._';
    expect(renderPullRequestComment(input)).toContain(note);
    expect(renderPullRequestCheck(input).text).toContain(note);
    expect(renderPullRequestComment({ ...input, diagramsLeftOut: 0 })).not.toContain('not drawn here');
  });

  it('leaves details out only where the table of changing agents alone passes what the check shows', () => {
    // The shortest row a new version can have (a one-letter name, created): DETAILED_VERSIONS of them pass the limit.
    const agents = Array.from({ length: DETAILED_VERSIONS + 1 }, (_, i) => ({
      ...entry(String.fromCharCode(97 + (i % 26)), 'create'),
      file: 'a.yaml',
      version: 1,
    }));
    const text = renderPlanMarkdown({ ...plan, agents, summary: summarize(agents) });
    expect(text.trimEnd().endsWith('| `a.yaml` |')).toBe(true);
    expect(text.length - text.indexOf('| agent | action |')).toBeGreaterThan(PLAN_MARKDOWN_LIMIT);
  });

  it('names the skipped files on a push in one status line of at most 140 characters', () => {
    expect(pushStatusLine(plan, 'agents', 'applied')).toBe('Synced; 1 invalid file skipped: agents/nightly.yaml');
    expect(pushStatusLine(plan, 'agents', 'skipped')).toBe('Trellis did not sync this commit (see the server log)');
  });

  it('picks agent files as the folder walk does: YAML under the folder, no hidden folders or node_modules', () => {
    expect(isAgentFile('agents/a.yaml', 'agents')).toBe(true);
    expect(isAgentFile('agents/team/b.YML', 'agents')).toBe(true);
    expect(isAgentFile('agents/.github/c.yaml', 'agents')).toBe(false);
    expect(isAgentFile('agents/node_modules/d.yaml', 'agents')).toBe(false);
    expect(isAgentFile('agents-old/e.yaml', 'agents')).toBe(false);
    expect(isAgentFile('agents/readme.md', 'agents')).toBe(false);
  });

  it('answers a cached installation token only while it has more than the refresh margin left', () => {
    let now = Date.parse('2026-12-07T10:00:00Z');
    const cache = new ExpiringTokenCache(() => now);
    cache.set('77', 'ghs_x|2026-12-07T10:00:00Z|2026-12-07T11:00:00Z|all|checks!|');
    expect(cache.get('77')).toContain('ghs_x');
    now = Date.parse('2026-12-07T11:00:00Z') - TOKEN_REFRESH_MARGIN_MS;
    expect(cache.get('77')).toBeUndefined();
    expect(cache.get('78')).toBeUndefined();
  });
});
