// The plan as Markdown, for a pull-request comment or a terminal: a table of what changes, then the
// details of each update and each invalid file; unchanged agents folded away at the end.
import type { AgentProblem } from '../agent-format/agent.problems.js';
import { formatCredits } from './agents-plan.cost.js';
import type { NodeChanges } from './agents-plan.diff.js';
import type { AgentsPlan, PlanAction, PlanEntry } from './agents-plan.js';
import type { IntegrationPlanEntry } from './agents-integrations.js';

const LABEL: Record<PlanAction, string> = {
  create: 'create',
  update: 'update',
  pinned: 'pinned',
  unchanged: 'unchanged',
  remove: 'remove',
  invalid: 'invalid',
};

/** Text inside a Markdown table cell or list item: one line, no table breaks. */
function inline(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

function code(text: string): string {
  const ticks = text.includes('`') ? '``' : '`';
  return `${ticks}${text}${ticks}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function summaryLine(plan: AgentsPlan): string {
  const { summary } = plan;
  const parts = [
    summary.create ? `${summary.create} to create` : '',
    summary.update ? `${summary.update} to update` : '',
    summary.pinned ? `${summary.pinned} pinned` : '',
    summary.remove ? `${summary.remove} to remove` : '',
    summary.invalid ? `${summary.invalid} invalid` : '',
  ].filter(Boolean);
  const changes = parts.length ? `**${parts.join(', ')}**` : '**no changes**';
  return `${changes}, ${summary.unchanged} unchanged`;
}

function versionCell(e: PlanEntry): string {
  switch (e.action) {
    case 'create':
      return 'v1';
    case 'update':
      return e.version !== e.previous_version ? `v${e.previous_version} → v${e.version}` : `v${e.version} reactivated`;
    case 'pinned':
      return `v${e.version} recorded; v${e.pinned_version} stays active`;
    case 'remove':
      return `v${e.version} deactivated`;
    case 'invalid':
      return e.active_version !== null ? `v${e.active_version} stays active` : 'not synced';
    case 'unchanged':
      return `v${e.version}`;
  }
}

function problemLine(problem: AgentProblem): string {
  const where = [problem.file, problem.line, problem.column].filter((part) => part !== undefined).join(':');
  const place = where ? code(where) : code(problem.pointer || '/');
  return `- ${place} ${problem.severity === 'warning' ? 'warning: ' : ''}${inline(problem.message)}`;
}

function nodeSection(title: string, changes: NodeChanges): string[] {
  const lines = [
    ...changes.added.map((n) => `- added ${code(n.node)} (${n.block})`),
    ...changes.removed.map((n) => `- removed ${code(n.node)} (${n.block})`),
    ...changes.changed.map((n) => `- changed ${code(n.node)} (${n.block}): ${n.changes.map(inline).join('; ')}`),
  ];
  return lines.length ? [`**${title}**`, '', ...lines, ''] : [];
}

function details(e: PlanEntry): string[] {
  const heading = `### ${LABEL[e.action]} ${code(e.name)}${e.file ? ` (${code(e.file)})` : ''}: ${versionCell(e)}`;
  const lines = [heading, ''];
  for (const note of e.notes) lines.push(`> ${inline(note)}`, '');
  if (e.changes) {
    lines.push(...nodeSection('Triggers', e.changes.triggers), ...nodeSection('Nodes', e.changes.nodes));
    const links = [...e.changes.links.added.map((l) => `- added ${code(l)}`), ...e.changes.links.removed.map((l) => `- removed ${code(l)}`)];
    if (links.length) lines.push('**Links**', '', ...links, '');
    if (e.changes.settings.length) lines.push('**Settings**', '', ...e.changes.settings.map((s) => `- ${inline(s)}`), '');
  }
  if (e.action === 'invalid') {
    const errors = e.problems.filter((p) => p.severity === 'error');
    lines.push(`${plural(errors.length, 'error')}:`, '', ...e.problems.map(problemLine), '');
  }
  return lines;
}

/** Credits per run of each created or changed agent, before and after (config/costs.yaml, every retry in the most). */
function costSection(entries: readonly PlanEntry[]): string[] {
  const priced = entries.filter((e) => e.cost);
  if (!priced.length) return [];
  const lines = ['**Credits per run**, before → after (least to most; `trellis analyze <agent>` shows each node)', '', '| agent | before | after |', '|---|---|---|'];
  for (const e of priced) {
    const { before, after } = e.cost!;
    lines.push(`| ${code(e.name)} | ${before ? formatCredits(before) : 'new'} | ${formatCredits(after)} |`);
  }
  return [...lines, ''];
}

/**
 * The plan as Markdown. With `maxChars`, rendering stops once the text is longer than that (a pull request's
 * check or comment cuts it at GitHub's limit anyway): the details of 10,000 updates are not written to be thrown away.
 */
export function renderPlanMarkdown(plan: AgentsPlan, maxChars = Infinity): string {
  const lines: string[] = [];
  let size = 0;
  const add = (...more: string[]): boolean => {
    for (const line of more) size += line.length + 1;
    lines.push(...more);
    return size > maxChars;
  };
  add('## Trellis agents plan', '');
  const at = plan.commit ? ` at commit ${code(plan.commit.slice(0, 12))}` : '';
  add(`Folder ${code(plan.folder)}${at}: ${summaryLine(plan)}.`, '');
  if (plan.blocked) add(`> **A sync would not apply this plan:** ${inline(plan.blocked)}`, '');

  const changing = plan.agents.filter((e) => e.action !== 'unchanged');
  if (changing.length) {
    add('| agent | action | version | file |', '|---|---|---|---|');
    for (const e of changing) if (add(`| ${code(e.name)} | ${LABEL[e.action]} | ${inline(versionCell(e))} | ${e.file ? code(e.file) : ''} |`)) return lines.join('\n');
    add('');
    if (add(...costSection(changing))) return lines.join('\n');
    for (const e of changing) if (e.action !== 'create' && e.action !== 'remove' && add(...details(e))) return lines.join('\n');
  } else if (plan.agents.length === 0) {
    add('No agent files in the folder, and no agent from files to remove.', '');
  }

  add(...integrationLines(plan));
  const unchanged = plan.agents.filter((e) => e.action === 'unchanged');
  if (unchanged.length) {
    add(`<details><summary>${plural(unchanged.length, 'unchanged agent')}</summary>`, '');
    add(unchanged.map((e) => code(e.name) + (e.notes.length ? ` (${inline(e.notes.join('; '))})` : '')).join(', '), '', '</details>', '');
  }
  return lines.join('\n');
}

function integrationVersion(e: IntegrationPlanEntry): string {
  if (e.action === 'invalid') return e.version !== null ? `v${e.version} stays` : 'not synced';
  if (e.action === 'unchanged') return `v${e.version}`;
  return e.previous_version !== null ? `v${e.previous_version} → v${e.version}` : `v${e.version}`;
}

/** The integrations that change: a table, then what each adds, changes and removes, and the problems of the invalid. */
function integrationLines(plan: AgentsPlan): string[] {
  const changing = (plan.integrations ?? []).filter((e) => e.action !== 'unchanged');
  if (!changing.length) return [];
  const lines = ['### Integrations', '', '| integration | action | version | operations |', '|---|---|---|---|'];
  for (const e of changing) {
    const ops = [`+${e.operations.added.length}`, `~${e.operations.changed.length}`, `-${e.operations.removed.length}`].join(' ');
    lines.push(`| ${code(e.name)} | ${e.action} | ${inline(integrationVersion(e))} | ${ops} |`);
  }
  lines.push('');
  for (const e of changing) {
    const listed = [
      ...e.operations.added.map((b) => `- added ${code(b)}`),
      ...e.operations.changed.map((b) => `- changed ${code(b)}`),
      ...e.operations.removed.map((b) => `- removed ${code(b)}`),
    ];
    const shown = listed.length > 30 ? [...listed.slice(0, 30), `- … and ${listed.length - 30} more`] : listed;
    if (!shown.length && e.action !== 'invalid' && !e.notes.length) continue;
    lines.push(`#### ${e.action} ${code(e.name)}${e.file ? ` (${code(e.file)})` : ''}`, '');
    for (const note of e.notes) lines.push(`> ${inline(note)}`, '');
    if (shown.length) lines.push(...shown, '');
    if (e.problems.length) lines.push(...e.problems.map(problemLine), '');
  }
  return lines;
}
