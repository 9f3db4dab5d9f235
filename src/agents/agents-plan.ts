// The plan of a sync, agent by agent: create, update, pinned, unchanged, remove, invalid. Pure: the
// validated folder and the stored graphs in, the plan (for people) and the writes (for sync) out.
import type { AgentDefinition } from '../agent-format/graph.types.js';
import { hashCanonical } from '../agent-format/agent.canonical.js';
import type { AgentSource } from '../agent-format/agent.parser.js';
import type { AgentProblem } from '../agent-format/agent.problems.js';
import type { AgentValidation, ValidationReport } from '../agent-format/agent.validator.js';
import type { StoredGraphState } from '../graphs/graphs.repository.js';
import type { PlanCost } from './agents-plan.cost.js';
import { diffAgents, type AgentChanges } from './agents-plan.diff.js';
import type { IntegrationPlanEntry } from './agents-integrations.js';

/** How a plan is printed: JSON for programs, markdown for people and pull-request comments. */
export const PLAN_FORMATS = ['json', 'markdown'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

export const PLAN_ACTIONS = ['create', 'update', 'pinned', 'unchanged', 'remove', 'invalid'] as const;
export type PlanAction = (typeof PLAN_ACTIONS)[number];

export interface PlanEntry {
  name: string;
  action: PlanAction;
  /** The agent file, relative to the agents folder (for `remove`: the file it came from). */
  file: string | null;
  /** The version this sync records (create, update, pinned); otherwise the newest stored one. */
  version: number | null;
  /** The newest stored version before the sync. */
  previous_version: number | null;
  /** The version active after the sync; null when none is (removed, or never valid). */
  active_version: number | null;
  pinned_version: number | null;
  /** Content hash of the file's canonical form (null when invalid). */
  hash: string | null;
  /** Anything else a reviewer should know: reactivated, file moved, which version stays active. */
  notes: string[];
  /** For update and pinned: what changed against the newest stored version. */
  changes: AgentChanges | null;
  /** For invalid: every problem (warnings too, for the others). */
  problems: AgentProblem[];
  /** For create, update and pinned with a new version: credits per run before and after (agents-plan.cost.ts). */
  cost?: PlanCost;
}

export type PlanSummary = Record<PlanAction, number>;

export interface AgentsPlan {
  /** The agents folder, as shown to people. */
  folder: string;
  /** The folder's Git commit (null when it is not a Git checkout). */
  commit: string | null;
  /** Why a sync would not apply this plan (the folder is behind the last synced commit), else null. */
  blocked: string | null;
  summary: PlanSummary;
  agents: PlanEntry[];
  /** The OpenAPI integrations of the integrations folder against their recorded versions. */
  integrations: IntegrationPlanEntry[];
}

/** One agent file of the folder: its path relative to the folder, and its parsed text. */
export interface FolderFile {
  path: string;
  source: AgentSource;
}

/** A graph row a sync writes (insert or update), with the version it records, if any. */
export interface GraphWrite {
  name: string;
  file: string;
  description: string | null;
  /** The owner's handle (undefined: the built-in admin). */
  owner: string | undefined;
  activeVersion: number;
  latestVersion: number;
  version?: { number: number; agent: AgentDefinition; hash: string };
  /** The graph starts serving, or serves another version: the triggers module must hear of it. */
  activates: boolean;
  /** An API graph this file takes over (its proposal, merged unchanged): the graph becomes a file agent. */
  adopts?: true;
}

export interface Classified {
  entries: PlanEntry[];
  writes: GraphWrite[];
  /** File graphs to deactivate (their file is gone). */
  removals: string[];
}

export interface ClassifyInput {
  files: readonly FolderFile[];
  /** `validateAgents` over the files' sources, result for result. */
  report: ValidationReport;
  stored: ReadonlyMap<string, StoredGraphState>;
}

function entry(name: string, action: PlanAction, fields: Partial<PlanEntry> = {}): PlanEntry {
  return {
    name,
    action,
    file: null,
    version: null,
    previous_version: null,
    active_version: null,
    pinned_version: null,
    hash: null,
    notes: [],
    changes: null,
    problems: [],
    ...fields,
  };
}

/** A problem at the document's `name` (its line and column in a file). */
export function problemAtName(result: AgentValidation, message: string): AgentProblem {
  const { line, column } = result.source.positions.locate(['name']);
  return {
    pointer: '/name',
    severity: 'error',
    message,
    ...(result.source.file !== undefined ? { file: result.source.file } : {}),
    ...(line !== undefined ? { line } : {}),
    ...(column !== undefined ? { column } : {}),
  };
}

/** The message when a document takes the name of an API graph (shared with POST /api/agents/validate). */
export function apiNameTakenMessage(name: string): string {
  return `the name "${name}" belongs to a graph created through the API; agent names are unique across files and the API: rename the agent (and its file), delete the API graph first, or commit its proposal (POST /api/graphs/${name}/propose) unchanged so the file takes it over`;
}

export function classify({ files, report, stored }: ClassifyInput): Classified {
  const entries: PlanEntry[] = [];
  const writes: GraphWrite[] = [];
  const present = new Set<string>();

  files.forEach((file, index) => {
    const result = report.results[index]!;
    for (const name of [result.name, file.source.expectedName]) if (name) present.add(name);
    const previous = result.name ? stored.get(result.name) : undefined;
    if (previous?.source === 'api' && result.ok && result.agent && hashCanonical(result.agent) === previous.latest_hash) {
      // The API graph's own content (its proposal, POST /api/graphs/{id}/propose, merged unchanged): the file takes it over.
      const planned = planValid(result.agent, file.path, previous);
      const notes = [`adopts the API graph ${previous.id} (same content hash): it becomes this file's agent, its versions and history kept`];
      entries.push({ ...planned.entry, action: 'update', notes });
      writes.push({ ...planned.write!, adopts: true });
      return;
    }
    if (previous?.source === 'api') {
      const problems = [...result.problems, problemAtName(result, apiNameTakenMessage(previous.id))];
      entries.push(entry(previous.id, 'invalid', { file: file.path, problems, notes: ['skipped; the API graph is not touched'] }));
      return;
    }
    if (!result.ok || !result.agent) {
      entries.push(invalidEntry(result, file, stored));
      return;
    }
    const planned = planValid(result.agent, file.path, previous);
    entries.push(planned.entry);
    if (planned.write) writes.push(planned.write);
  });

  const removals: string[] = [];
  for (const graph of stored.values()) {
    if (graph.source !== 'file' || !graph.active || present.has(graph.id)) continue;
    removals.push(graph.id);
    entries.push(
      entry(graph.id, 'remove', {
        file: graph.file,
        version: graph.latest_version,
        previous_version: graph.latest_version,
        pinned_version: graph.pinned_version,
        notes: ['its file is gone: the graph is deactivated (its triggers and schedules stop; its history stays)'],
      }),
    );
  }
  entries.sort((a, b) => a.name.localeCompare(b.name) || (a.file ?? '').localeCompare(b.file ?? ''));
  return { entries, writes, removals };
}

function invalidEntry(result: AgentValidation, file: FolderFile, stored: ReadonlyMap<string, StoredGraphState>): PlanEntry {
  const name = result.name || file.source.expectedName || file.path;
  const graph = stored.get(name);
  const notes: string[] = [];
  if (graph?.source === 'file' && graph.active) notes.push(`skipped: version ${graph.active_version} stays active`);
  else if (graph?.source === 'file') notes.push('skipped: the graph stays inactive');
  else notes.push('skipped: nothing is created until the file is valid');
  return entry(name, 'invalid', {
    file: file.path,
    problems: result.problems,
    notes,
    ...(graph?.source === 'file'
      ? { version: graph.latest_version, previous_version: graph.latest_version, active_version: graph.active ? graph.active_version : null, pinned_version: graph.pinned_version }
      : {}),
  });
}

/** `agent` is the validator's, canonical already. */
function planValid(agent: AgentDefinition, path: string, previous: StoredGraphState | undefined): { entry: PlanEntry; write?: GraphWrite } {
  const hash = hashCanonical(agent);
  const base = { name: agent.name, file: path, description: agent.description ?? null, owner: agent.owner };
  if (!previous) {
    return {
      entry: entry(agent.name, 'create', { file: path, version: 1, active_version: 1, hash }),
      write: { ...base, activeVersion: 1, latestVersion: 1, version: { number: 1, agent, hash }, activates: true },
    };
  }
  const notes: string[] = [];
  const moved = previous.file !== path;
  if (moved && previous.file) notes.push(`file moved from ${previous.file}`);
  if (!previous.active) notes.push('reactivated: its file is back');
  const pinned = previous.pinned_version;
  const activates = (activeVersion: number): boolean => !previous.active || activeVersion !== previous.active_version;
  const common = { file: path, previous_version: previous.latest_version, pinned_version: pinned, hash };

  if (hash === previous.latest_hash) {
    const activeVersion = pinned ?? previous.latest_version;
    const action: PlanAction = previous.active ? 'unchanged' : 'update';
    const result = entry(agent.name, action, { ...common, version: previous.latest_version, active_version: activeVersion, notes });
    const needsWrite = !previous.active || moved || activeVersion !== previous.active_version;
    return needsWrite ? { entry: result, write: { ...base, activeVersion, latestVersion: previous.latest_version, activates: activates(activeVersion) } } : { entry: result };
  }

  const number = previous.latest_version + 1;
  const activeVersion = pinned ?? number;
  if (pinned !== null) {
    notes.push(`pinned to version ${pinned}: version ${number} is recorded but not activated (unpin with PUT /api/graphs/${agent.name}/versions/active {"version": null})`);
  }
  return {
    entry: entry(agent.name, pinned !== null ? 'pinned' : 'update', { ...common, version: number, active_version: activeVersion, notes }),
    write: { ...base, activeVersion, latestVersion: number, version: { number, agent, hash }, activates: activates(activeVersion) },
  };
}

/** Graphs whose newest stored definition the plan needs, to describe what changes. */
export function definitionsToCompare(classified: Classified): Array<{ name: string; version: number }> {
  return classified.entries
    .filter((e) => (e.action === 'update' || e.action === 'pinned') && e.previous_version !== null && e.version !== e.previous_version)
    .map((e) => ({ name: e.name, version: e.previous_version! }));
}

/** Fills `changes` of updated and pinned entries from the previous definitions. */
export function attachChanges(classified: Classified, previous: ReadonlyMap<string, AgentDefinition>, isTrigger: (block: string) => boolean): void {
  const next = new Map(classified.writes.filter((w) => w.version).map((w) => [w.name, w.version!.agent]));
  for (const e of classified.entries) {
    const before = previous.get(e.name);
    const after = next.get(e.name);
    if (before && after && (e.action === 'update' || e.action === 'pinned')) e.changes = diffAgents(before, after, isTrigger);
  }
}

export function summarize(entries: readonly PlanEntry[]): PlanSummary {
  const summary = Object.fromEntries(PLAN_ACTIONS.map((action) => [action, 0])) as PlanSummary;
  for (const e of entries) summary[e.action]++;
  return summary;
}
