// Retry from the failure (release-2.md section 3), in the pure core: the COMPLETED node executions of the
// execution being retried, offered to the scheduler. A run about to start whose node and inputs match one
// (the first not yet used, in recorded order) is copied instead of run: its yields are delivered again and it
// is `reused` (no attempt, so nothing is charged). Anything else runs, from its inputs, as in any execution.
import type { AgentDefinition, NodeDefinition } from '../../agent-format/graph.types.js';
import type { NodeYield } from './engine.types.js';

/**
 * One COMPLETED node execution of the retried execution; or, with `delivered_seq`, a streaming one that did
 * not complete after delivering that many yields (its outputs): the retry delivers those again and runs the
 * block, resuming after that sequence number (runtime.md: nothing at or below it is delivered again).
 */
export interface ReplayEntry {
  node: string;
  block: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown[]>;
  delivered_seq?: number | null;
}

/** What a streaming run resumed by a retry delivers again before its block runs, and where the block resumes. */
export interface StreamResume {
  yields: NodeYield[];
  delivered_seq: number;
}

/**
 * A run of the retried execution that did not complete while its child execution (agent.run) failed or was
 * cancelled: the retry's run of that node with the same inputs retries the child from its failure too.
 */
export interface FailedChildEntry {
  node: string;
  inputs: Record<string, unknown>;
  /** The child execution that failed. */
  execution_id: string;
  graph_version: number;
}

/** The child a re-run agent.run retries: its failed child, and the version to run (null: resolve as usual). */
export interface ChildRetry {
  retry_of: string;
  graph_version: number | null;
}

/** Blocks whose completed runs are never reused: a person's decision and an event belong to their execution. */
const NEVER_REUSED: ReadonlySet<string> = new Set(['human.review', 'wait.event']);

export class ReplayBook {
  private readonly byNode = new Map<string, Array<{ key: string; outputs: Record<string, unknown[]> } | null>>();
  private readonly children = new Map<string, Array<{ key: string; retry: ChildRetry } | null>>();
  private readonly streams = new Map<string, Array<{ key: string; resume: StreamResume } | null>>();

  /**
   * `reusable`: the nodes that may be reused (all when absent); see `reusableNodes` for another version.
   * `failedChildren`: the failed children to retry; with `reusable` (another version) only those of reusable
   * nodes, each at the version the retry resolves (its unchanged nodes are reused by the child's own retry).
   */
  constructor(entries: readonly ReplayEntry[], reusable?: ReadonlySet<string>, failedChildren: readonly FailedChildEntry[] = []) {
    for (const child of failedChildren) {
      if (reusable && !reusable.has(child.node)) continue;
      add(this.children, child.node, {
        key: inputsKey(child.inputs),
        retry: { retry_of: child.execution_id, graph_version: reusable ? null : child.graph_version },
      });
    }
    for (const entry of entries) {
      if (NEVER_REUSED.has(entry.block) || (reusable && !reusable.has(entry.node))) continue;
      const key = inputsKey(entry.inputs);
      if (entry.delivered_seq === undefined || entry.delivered_seq === null) add(this.byNode, entry.node, { key, outputs: entry.outputs });
      else
        add(this.streams, entry.node, {
          key,
          resume: { yields: flatYields(entry.outputs).filter(([pin]) => pin !== 'error'), delivered_seq: entry.delivered_seq },
        });
    }
  }

  /** The yields of the first unused entry of `node` with these inputs (now used), or null. */
  take(node: string, inputs: Record<string, unknown>): NodeYield[] | null {
    const entry = takeFirst(this.byNode, node, inputsKey(inputs));
    return entry ? flatYields(entry.outputs) : null;
  }

  /** The stream of `node` with these inputs that the retried execution left unfinished (now used), or null. */
  takeStream(node: string, inputs: Record<string, unknown>): StreamResume | null {
    return takeFirst(this.streams, node, inputsKey(inputs))?.resume ?? null;
  }

  /** The version a re-run of `node` with these inputs runs its failed child at, if it has one to retry (null: resolve as usual). */
  childVersion(node: string, inputs: Record<string, unknown>): number | null {
    return this.children.get(node)?.find((entry) => entry !== null && entry.key === inputsKey(inputs))?.retry.graph_version ?? null;
  }

  /** The failed child that a re-run of `node` with these inputs retries (now used), or null: start a new one. */
  takeChild(node: string, inputs: Record<string, unknown>): string | null {
    return takeFirst(this.children, node, inputsKey(inputs))?.retry.retry_of ?? null;
  }
}

function flatYields(outputs: Record<string, unknown[]>): NodeYield[] {
  return Object.entries(outputs).flatMap(([pin, values]) => values.map((value): NodeYield => [pin, value]));
}

function add<T extends { key: string }>(map: Map<string, Array<T | null>>, node: string, entry: T): void {
  const list = map.get(node) ?? [];
  list.push(entry);
  map.set(node, list);
}

/** The first unused entry of `node` with this key, now used. */
function takeFirst<T extends { key: string }>(map: Map<string, Array<T | null>>, node: string, key: string): T | null {
  const list = map.get(node);
  const index = list?.findIndex((entry) => entry !== null && entry.key === key) ?? -1;
  if (index < 0) return null;
  const entry = list![index]!;
  list![index] = null;
  return entry;
}

function inputsKey(inputs: Record<string, unknown>): string {
  return stableJson(inputs);
}

/** JSON with every object's keys sorted: equal values give equal text (jsonb does not keep key order). */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/**
 * With `version: latest`: the nodes of `next` that may reuse a run recorded under `previous`, those that are
 * identical (block, inputs, credentials, retry, timeout) with every node upstream identical too and the
 * same incoming links.
 */
export function reusableNodes(previous: AgentDefinition, next: AgentDefinition): Set<string> {
  const incoming = (definition: AgentDefinition, node: string) =>
    definition.links
      .filter((link) => link.to.node === node)
      .map((link) => stableJson(link))
      .sort();
  const same = (id: string): boolean => {
    const a = previous.nodes[id];
    const b = next.nodes[id];
    return a !== undefined && b !== undefined && nodeKey(a) === nodeKey(b) && JSON.stringify(incoming(previous, id)) === JSON.stringify(incoming(next, id));
  };
  const result = new Map<string, boolean>();
  const visit = (id: string, path: Set<string>): boolean => {
    const known = result.get(id);
    if (known !== undefined) return known;
    if (path.has(id)) return same(id); // a loop: its own sameness decides
    path.add(id);
    const upstream = next.links.filter((link) => link.to.node === id).map((link) => link.from.node);
    const ok = same(id) && upstream.every((up) => visit(up, path));
    path.delete(id);
    result.set(id, ok);
    return ok;
  };
  return new Set(Object.keys(next.nodes).filter((id) => visit(id, new Set())));
}

function nodeKey(node: NodeDefinition): string {
  const { description: _description, ...rest } = node;
  return stableJson(rest);
}

/** A node of a block with outside effects that was stopped mid-attempt and will run again on the retry. */
export interface RerunSideEffect {
  node_id: string;
  block: string;
  /** The original's node execution that was stopped. */
  node_execution_id: string;
  /** For a node of a child execution (agent.run, an agent tool): that child, and its agent. */
  execution_id?: string;
  agent?: string;
}

/**
 * The original's node executions a retry runs again although their effect may already have happened: of a
 * block that says a re-run attempt repeats its effect, and RUNNING when the original ended (an attempt
 * started and never finished; a stop marks such a run CANCELLED). `sideEffects` answers for a node of the
 * retry's version (false when the node is gone from it).
 */
export function rerunSideEffects(
  runs: ReadonlyArray<{
    id: string;
    node_id: string;
    block: string;
    status: string;
    attempts: ReadonlyArray<{ ended_at: string | null; error: { code: string } | null }>;
  }>,
  sideEffects: (node: string, block: string) => boolean,
): RerunSideEffect[] {
  const stoppedMidAttempt = (last: { ended_at: string | null; error: { code: string } | null } | undefined) =>
    last !== undefined && (last.ended_at === null || last.error?.code === 'CANCELLED');
  return runs
    .filter((run) => (run.status === 'RUNNING' || run.status === 'CANCELLED') && stoppedMidAttempt(run.attempts.at(-1)))
    .filter((run) => sideEffects(run.node_id, run.block))
    .map((run) => ({ node_id: run.node_id, block: run.block, node_execution_id: run.id }));
}
