// What changed between two versions of an agent, in words a reviewer reads: nodes, links and triggers
// added, removed and changed, and the agent's own settings. Pure: two canonical definitions in.
import type { AgentDefinition, NodeDefinition } from '../agent-format/graph.types.js';
import { formatDuration } from '../common/units.js';
import { stableStringify } from '../agent-format/agent.canonical.js';
import { formatLink } from '../agent-format/agent.links.js';

export interface NodeRef {
  node: string;
  block: string;
}

export interface NodeChange extends NodeRef {
  /** One line per difference: `inputs.right: 500 → 1000`. */
  changes: string[];
}

export interface NodeChanges {
  added: NodeRef[];
  removed: NodeRef[];
  changed: NodeChange[];
}

export interface AgentChanges {
  nodes: NodeChanges;
  /** Links as written in files (`a.out -> b.in`, `(static)` when static). */
  links: { added: string[]; removed: string[] };
  /** Trigger nodes, kept apart from the other nodes: they decide when the agent runs. */
  triggers: NodeChanges;
  /** The agent's own keys: description, owner, concurrency, timeout, max_parallel, notify, tests. */
  settings: string[];
}

const PREVIEW_LENGTH = 60;

/** A value as a short, one-line JSON text. */
export function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH - 1)}…` : text;
}

/** Equal as stored (key order aside). Most inputs are texts: those compare as they are, without a JSON copy of each. */
const same = (a: unknown, b: unknown): boolean =>
  typeof a === 'string' || typeof b === 'string' ? a === b : stableStringify(a) === stableStringify(b);

function describeRetry(retry: NodeDefinition['retry']): string {
  if (!retry) return 'none';
  const max = retry.max_delay !== undefined ? `, at most ${formatDuration(retry.max_delay)}` : '';
  return `${retry.attempts} attempts, ${retry.backoff} from ${formatDuration(retry.delay)}${max}`;
}

function mapChanges(label: string, before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const lines: string[] = [];
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const was = before[key];
    const now = after[key];
    if (was === undefined) lines.push(`${label}.${key} added: ${preview(now)}`);
    else if (now === undefined) lines.push(`${label}.${key} removed (was ${preview(was)})`);
    else if (!same(was, now)) lines.push(`${label}.${key}: ${preview(was)} → ${preview(now)}`);
  }
  return lines;
}

export function nodeChanges(before: NodeDefinition, after: NodeDefinition): string[] {
  const lines: string[] = [];
  if (before.block !== after.block) lines.push(`block: ${before.block} → ${after.block}`);
  lines.push(...mapChanges('inputs', before.inputs, after.inputs));
  lines.push(...mapChanges('credentials', before.credentials, after.credentials));
  if (!same(before.retry, after.retry)) lines.push(`retry: ${describeRetry(before.retry)} → ${describeRetry(after.retry)}`);
  if (before.timeout !== after.timeout) {
    const show = (ms: number | undefined) => (ms === undefined ? 'none' : formatDuration(ms));
    lines.push(`timeout: ${show(before.timeout)} → ${show(after.timeout)}`);
  }
  if (before.concurrency !== after.concurrency) lines.push(`concurrency: ${before.concurrency ?? 'unlimited'} → ${after.concurrency ?? 'unlimited'}`);
  if (before.description !== after.description) lines.push('description changed');
  return lines;
}

function emptyNodeChanges(): NodeChanges {
  return { added: [], removed: [], changed: [] };
}

export function diffAgents(before: AgentDefinition, after: AgentDefinition, isTrigger: (block: string) => boolean): AgentChanges {
  const changes: AgentChanges = { nodes: emptyNodeChanges(), links: { added: [], removed: [] }, triggers: emptyNodeChanges(), settings: [] };
  const ids = [...new Set([...Object.keys(before.nodes), ...Object.keys(after.nodes)])].sort();
  for (const id of ids) {
    const was = before.nodes[id];
    const now = after.nodes[id];
    const section = (was && isTrigger(was.block)) || (now && isTrigger(now.block)) ? changes.triggers : changes.nodes;
    if (!was) section.added.push({ node: id, block: now!.block });
    else if (!now) section.removed.push({ node: id, block: was.block });
    else {
      const lines = nodeChanges(was, now);
      if (lines.length) section.changed.push({ node: id, block: now.block, changes: lines });
    }
  }
  const linkText = (agent: AgentDefinition) => new Set(agent.links.map((link) => formatLink(link) + (link.static ? ' (static)' : '')));
  const linksBefore = linkText(before);
  const linksAfter = linkText(after);
  changes.links.added = [...linksAfter].filter((link) => !linksBefore.has(link)).sort();
  changes.links.removed = [...linksBefore].filter((link) => !linksAfter.has(link)).sort();
  changes.settings = settingChanges(before, after);
  return changes;
}

function settingChanges(before: AgentDefinition, after: AgentDefinition): string[] {
  const lines: string[] = [];
  if (before.description !== after.description) lines.push('description changed');
  const scalar = (key: 'owner' | 'concurrency' | 'max_parallel', fallback: string) => {
    if (before[key] !== after[key]) lines.push(`${key}: ${before[key] ?? fallback} → ${after[key] ?? fallback}`);
  };
  scalar('owner', 'admin (default)');
  scalar('concurrency', 'unlimited');
  if (before.timeout !== after.timeout) {
    const show = (ms: number | undefined) => (ms === undefined ? 'the default' : formatDuration(ms));
    lines.push(`timeout: ${show(before.timeout)} → ${show(after.timeout)}`);
  }
  scalar('max_parallel', 'the default');
  for (const key of ['on_success', 'on_failure'] as const) {
    const was = before.notify?.[key] ?? [];
    const now = after.notify?.[key] ?? [];
    if (!same(was, now)) lines.push(`notify.${key}: ${preview(was)} → ${preview(now)}`);
  }
  // The declared values; config/vars*.yaml overrides apply on top of them at run time.
  lines.push(...mapChanges('vars', before.vars ?? {}, after.vars ?? {}));
  if (!same(before.tests ?? [], after.tests ?? [])) {
    const count = (agent: AgentDefinition) => agent.tests?.length ?? 0;
    lines.push(count(before) === count(after) ? `tests changed (${count(after)})` : `tests: ${count(before)} → ${count(after)}`);
  }
  return lines;
}

export function hasChanges(changes: AgentChanges): boolean {
  const nodes = (c: NodeChanges) => c.added.length + c.removed.length + c.changed.length;
  return nodes(changes.nodes) + nodes(changes.triggers) + changes.links.added.length + changes.links.removed.length + changes.settings.length > 0;
}
