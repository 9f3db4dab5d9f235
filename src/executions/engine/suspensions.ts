// The suspension rules, written once for both runners: what a suspending block (BlockDefinition.suspend)
// asks for, checked from its run's inputs, and how its result comes back as an attempt outcome. A suspended
// node is WAITING with a WaitReason (no slot held); the runner keeps the wait its own way (the in-memory
// runner awaits it, the durable one writes it and parks), then resumes the node with the outcome given here.
//
// Adding a kind (release-2.md section 3: `review`, `event`, `tool`): add its WaitReason kind in
// engine.types.ts, a rule below that answers a Suspension (with `due` when time alone resumes it, or an
// outside result the runner waits for, like `child`), and its outcome function. The runners handle a
// Suspension generically: WAITING first, then the timer or the outside result.
import type { BlockDefinition } from '../../blocks/block.types.js';
import { parseDuration } from '../../common/units.js';
import { checkValue, type AttemptOutcome } from './block-attempt.js';
import { EngineErrorCode, type ExecutionError, type NodeError } from './engine.errors.js';
import type { FinalStatus, NodeRun, NodeYield, WaitReason } from './engine.types.js';
import type { CompiledNode } from './graph.compiler.js';
import { eventRequestOf, reviewRequestOf, type EventRequest, type ReviewRequest } from './wait-suspensions.js';

/** A child execution to start (agent.run): the child starter port admits it (version, access) and runs it. */
export interface ChildRequest {
  agent: string;
  /** The version asked for, or null for the active one. */
  version: number | null;
  inputs: Record<string, unknown>;
  /** The child's depth (the root execution is 0). */
  depth: number;
}

/** What a suspending attempt asks for instead of an outcome. */
export interface Suspension {
  suspended: true;
  /** The node's waiting_for (a durable runner adds the child's id to a child_execution reason). */
  reason: WaitReason;
  /** Time alone resumes the node: after `delay_ms` it succeeds with `yields`. */
  due?: { delay_ms: number; yields: NodeYield[] };
  /** The node resumes when this child execution finishes (childOutcome). */
  child?: ChildRequest;
  /** The node resumes when this review is decided or times out (reviewOutcome). */
  review?: ReviewRequest;
  /** The node resumes when an event arrives on this key or the wait times out (eventOutcome). */
  event?: EventRequest;
}

export interface SuspensionLimits {
  /** Depth of the running execution (0 for a root). */
  depth: number;
  /** `executor.max_depth`. */
  maxDepth: number;
  /** False where no child execution can be started (a `trellis test` run without a child runner). */
  canStartChildren: boolean;
}

type SuspensionRule = (run: NodeRun, node: CompiledNode, limits: SuspensionLimits) => Suspension | AttemptOutcome;

const RULES: Record<NonNullable<BlockDefinition['suspend']>, SuspensionRule> = {
  /** time.delay: WAITING for the duration, then `value` passes through. */
  delay(run, node) {
    const duration = run.inputs.duration;
    const ms = typeof duration === 'number' && duration >= 0 ? duration : parseDuration(duration);
    if (ms === null)
      return fail(
        EngineErrorCode.NODE_FAILED,
        `Node "${node.id}" got duration ${JSON.stringify(duration)}, which is not a duration: use a number of milliseconds or text like 500ms, 30s, 10m, 2h.`,
      );
    return { suspended: true, reason: { kind: 'delay', delay_ms: ms }, due: { delay_ms: ms, yields: delayYields(run) } };
  },
  /** agent.run: a child execution, WAITING meanwhile; its outputs come out on pins of the same names. */
  child_execution(run, node, limits) {
    const depth = limits.depth + 1;
    const agent = run.inputs.agent;
    if (depth > limits.maxDepth)
      return fail(
        EngineErrorCode.DEPTH_LIMIT,
        `Node "${node.id}" would start agent ${JSON.stringify(agent)} at depth ${depth}, deeper than executor.max_depth (${limits.maxDepth}). Sub-agents that call each other this deep usually loop.`,
      );
    if (typeof agent !== 'string' || agent === '')
      return fail(EngineErrorCode.NODE_FAILED, `Node "${node.id}" (agent.run) needs the name of the agent to run in its \`agent\` input.`);
    if (!limits.canStartChildren)
      return fail(
        EngineErrorCode.NODE_FAILED,
        `Node "${node.id}" runs agent "${agent}", but this run cannot start child executions. Mock the node in the agent test, or run it on a server.`,
      );
    const inputs = run.inputs.inputs ?? {};
    if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs))
      return fail(
        EngineErrorCode.NODE_FAILED,
        `Node "${node.id}" (agent.run) needs its \`inputs\` to be an object of the child agent's input names and values.`,
      );
    const version = typeof run.inputs.version === 'number' ? run.inputs.version : null;
    return { suspended: true, reason: { kind: 'child_execution' }, child: { agent, version, inputs: inputs as Record<string, unknown>, depth } };
  },
  /** human.review: WAITING on a review row until a reviewer decides or it times out. */
  review(run, node) {
    const review = reviewRequestOf(run, node);
    if ('ok' in review) return review;
    return { suspended: true, reason: { kind: 'review', delay_ms: review.timeout_ms }, review };
  },
  /** wait.event: WAITING until an event arrives on its key or it times out. */
  event(run, node) {
    const event = eventRequestOf(run, node);
    if ('ok' in event) return event;
    return { suspended: true, reason: { kind: 'event', key: event.key, delay_ms: event.timeout_ms }, event };
  },
};

/** What a time.delay node yields when due (also for a delay a durable runner re-arms after resuming). */
export function delayYields(run: NodeRun): NodeYield[] {
  return [['value', run.inputs.value === undefined ? null : run.inputs.value]];
}

/** The suspension a suspending block's run asks for (or why it cannot), or null for a block that runs in a slot. */
export function suspensionOf(run: NodeRun, node: CompiledNode, limits: SuspensionLimits): Suspension | AttemptOutcome | null {
  const rule = node.block.suspend ? RULES[node.block.suspend] : undefined;
  return rule ? rule(run, node, limits) : null;
}

export function isSuspension(value: Suspension | AttemptOutcome): value is Suspension {
  return 'suspended' in value;
}

/** A finished child execution as the parent sees it. */
export interface ChildResult {
  status: FinalStatus;
  outputs: Record<string, unknown[]> | null;
  error: ExecutionError | null;
}

/**
 * The outcome of an agent.run node whose child finished: its outputs on pins of the same names plus
 * `outputs` (each checked like any yield), or CHILD_FAILED naming how the child ended.
 */
export function childOutcome(nodeId: string, agent: string, result: ChildResult, values: { maxValueBytes: number; maxJsonDepth?: number }): AttemptOutcome {
  if (result.status !== 'COMPLETED') {
    const why = result.error ? `: ${result.error.code}: ${result.error.message}` : '';
    return fail(EngineErrorCode.CHILD_FAILED, `Agent "${agent}" (run by node "${nodeId}") ${result.status === 'CANCELLED' ? 'was cancelled' : 'failed'}${why}`);
  }
  const outputs = result.outputs ?? {};
  const yields: NodeYield[] = [];
  for (const [name, list] of Object.entries(outputs)) for (const value of list) yields.push([name, value]);
  yields.push(['outputs', outputs]);
  for (const [pin, value] of yields) {
    const problem = checkValue(nodeId, pin, value, values.maxValueBytes, values.maxJsonDepth);
    if (problem) return { ok: false, error: problem };
  }
  return { ok: true, yields };
}

function fail(code: string, message: string): AttemptOutcome {
  return { ok: false, error: { code, message } satisfies NodeError };
}
