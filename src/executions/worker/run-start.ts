// How the durable runner opens a claimed execution's core: a fresh scheduler (nothing ran yet), or one
// restored from its stored rows, with the step that resumes it; a node re-run too often after lost leases
// fails the execution there (store-failure.ts, WORKER_LOST). Also the attempts' setting and the write that
// gives an execution back, and what a retry from the failure may reuse.
import { randomUUID } from 'node:crypto';
import { ExecutionStatus, type Step } from '../engine/engine.types.js';
import type { CompiledGraph } from '../engine/graph.compiler.js';
import type { AttemptSetting } from '../engine/node-attempt.js';
import { ExecutionScheduler } from '../engine/scheduler.js';
import { ReplayBook, reusableNodes } from '../engine/replay.js';
import type { CompiledGraphs } from '../compiled-graphs.js';
import type { RunnerLimits } from './execution-runner.types.js';
import type { NodeRunRecord } from '../engine/engine.types.js';
import { fromRunRecord, type RunExtras } from '../node-run-rows.js';
import type { ClaimedExecution, ExecutionStoreRepository, ExecutionWrite } from './execution-store.repository.js';
import { emptyStep, mergeSteps } from './step-journal.js';
import { DEFAULT_MAX_RESUMES, resumedTooOften } from './store-failure.js';

export interface OpenedRun {
  scheduler: ExecutionScheduler;
  /** Written first: empty when fresh, else the restore's step (and the WORKER_LOST failure, if any). */
  firstStep: Step;
}

export function openScheduler(
  execution: ClaimedExecution,
  graph: CompiledGraph,
  stored: readonly NodeRunRecord[],
  limits: RunnerLimits,
  extras: RunExtras,
  now: number,
): OpenedRun {
  const options = {
    maxParallel: graph.definition.max_parallel ?? limits.maxParallel,
    maxNodeExecutions: limits.maxNodeExecutions,
    newRunId: () => randomUUID(),
    ...(execution.replay ? { replay: execution.replay } : {}),
  };
  if (execution.fresh) return { scheduler: new ExecutionScheduler(graph, options), firstStep: emptyStep() };
  const runs = stored.map((row) => fromRunRecord(row, extras, now));
  const restored = ExecutionScheduler.restore(graph, { status: ExecutionStatus.RUNNING, error: null, runs }, options);
  const lost = resumedTooOften(stored, limits.maxResumes ?? DEFAULT_MAX_RESUMES);
  const firstStep = lost ? mergeSteps([restored.step, restored.scheduler.fail(lost, lost.node_id)]) : restored.step;
  return { scheduler: restored.scheduler, firstStep };
}

/** What a fresh execution is seeded with: the trigger event that fired it, else its inputs. */
export function seedOf(execution: ClaimedExecution): Parameters<ExecutionScheduler['seed']>[0] {
  return execution.trigger_node && execution.trigger_event
    ? { trigger: { node: execution.trigger_node, outputs: execution.trigger_event } }
    : { inputs: execution.inputs };
}

/** The write that gives the lease back (a long wait parks the execution): nothing else changes. */
export function releaseWrite(id: string, cost: number, nodeExecutionCount: number): ExecutionWrite {
  return { id, runs: [], status: null, error: null, outputs: null, cost, node_execution_count: nodeExecutionCount, release: true, children: [] };
}

/** What every node attempt of this execution runs with (engine/node-attempt.ts). */
export function attemptSetting(execution: ClaimedExecution, limits: RunnerLimits): AttemptSetting {
  return {
    executionId: execution.id,
    graphId: execution.graph_id,
    userId: execution.user_id,
    nodeTimeoutMs: limits.nodeTimeoutMs,
    maxValueBytes: limits.maxValueBytes,
    maxJsonDepth: limits.maxJsonDepth,
    suspension: { depth: execution.depth, maxDepth: limits.maxDepth, canStartChildren: true },
  };
}

/** Retry from the failure: the retried execution's completed runs; with another version, only nodes unchanged up to them. */
export async function replayBookOf(
  claimed: ClaimedExecution,
  graph: CompiledGraph,
  store: Pick<ExecutionStoreRepository, 'replayOf'>,
  graphs: Pick<CompiledGraphs, 'get'>,
): Promise<ReplayBook> {
  const original = await store.replayOf(claimed.retry_of!);
  if (!original) return new ReplayBook([]);
  if (original.graph_version === claimed.graph_version) return new ReplayBook(original.entries, undefined, original.failedChildren);
  const previous = await graphs.get(claimed.graph_id, original.graph_version);
  return new ReplayBook(original.entries, previous ? reusableNodes(previous.definition, graph.definition) : new Set<string>(), original.failedChildren);
}
