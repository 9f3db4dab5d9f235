// The attempt driver, written once for both runners: one attempt of one node run, from the charge to the
// outcome. Charge (where credits apply), then a suspending block's suspension (suspensions.ts), else the
// node's credentials, its BlockContext, and the block run through the injected block runner with the time
// limit, abort, error pin, value checks and secret scrubbing of executeScrubbedAttempt. Everything outside
// the engine comes in through AttemptPorts; a runner supplies them and handles what comes back.
import type { BlockCallCharge, BlockContext, BlockHttpClient, BlockRuntimeSettings, ResolvedCredential } from '../../blocks/block.types.js';
import type { AttemptOutcome, BlockAttemptFn } from './block-attempt.js';
import type { NodeError } from './engine.errors.js';
import type { NodeRun } from './engine.types.js';
import type { CompiledNode } from './graph.compiler.js';
import { executeScrubbedAttempt, type AttemptSecretsPort } from './scrubbed-attempt.js';
import { suspensionOf, type Suspension, type SuspensionLimits } from './suspensions.js';
import type { Timers } from './timers.js';

/** The credentials of one attempt, or why they cannot be had (the node fails with this error). */
export type AttemptCredentials =
  { credentials: Record<string, ResolvedCredential>; systemDefaults?: Readonly<Record<string, ResolvedCredential>> } | { error: NodeError };

/** What an attempt needs from outside the engine. */
export interface AttemptPorts {
  /** The block runner (validation + run): blocks/validated-run.ts on the platform. */
  runBlock: BlockAttemptFn;
  timers: Timers;
  /** Charges the attempt before it starts (throws INSUFFICIENT_CREDITS to refuse); absent where nothing is charged. */
  charge?(run: NodeRun, node: CompiledNode): Promise<void>;
  /** Charges one call inside the attempt (BlockContext.charge); absent where nothing is charged. */
  chargeCall?(run: NodeRun, call: BlockCallCharge): Promise<number>;
  /** The node's credentials for this attempt (a durable runner resolves only when needsCredentials). */
  credentials(run: NodeRun, node: CompiledNode): Promise<AttemptCredentials> | AttemptCredentials;
  logger(nodeId: string): BlockContext['logger'];
  http(signal: AbortSignal): BlockHttpClient;
  settings: BlockRuntimeSettings;
  /** Hides the attempt's secrets in its outcome, yields and logs (executions/attempt-secrets.ts on the platform). */
  secrets: AttemptSecretsPort;
}

/** Who runs, and the limits an attempt is held to. */
export interface AttemptSetting {
  executionId: string;
  graphId?: string;
  userId: string;
  nodeTimeoutMs: number;
  maxValueBytes: number;
  maxJsonDepth?: number;
  suspension: SuspensionLimits;
}

/**
 * Runs one attempt of `run`. `controller` is the run's own (abort it to cancel). Streaming blocks pass
 * `onYield`. Answers the outcome, or the Suspension a suspending block asks for (the runner then makes the
 * node WAITING and resumes it later).
 */
export async function runNodeAttempt(
  ports: AttemptPorts,
  setting: AttemptSetting,
  run: NodeRun,
  node: CompiledNode,
  controller: AbortController,
  onYield?: (pin: string, value: unknown) => void | Promise<void>,
): Promise<AttemptOutcome | Suspension> {
  if (ports.charge) await ports.charge(run, node);
  if (controller.signal.aborted) throw controller.signal.reason;
  const suspension = suspensionOf(run, node, setting.suspension);
  if (suspension) return suspension;
  const resolved = await ports.credentials(run, node);
  if ('error' in resolved) return { ok: false, error: resolved.error };
  const context: Omit<BlockContext, 'signal'> = {
    executionId: setting.executionId,
    ...(setting.graphId !== undefined ? { graphId: setting.graphId } : {}),
    nodeId: node.id,
    nodeExecutionId: run.id,
    userId: setting.userId,
    credentials: resolved.credentials,
    ...(resolved.systemDefaults ? { systemDefaults: resolved.systemDefaults } : {}),
    logger: ports.logger(node.id),
    http: ports.http(controller.signal),
    settings: ports.settings,
    attempt: run.attempt,
    ...(ports.chargeCall ? { charge: (call: BlockCallCharge) => ports.chargeCall!(run, call) } : {}),
  };
  const limits = {
    timeoutMs: node.definition.timeout ?? setting.nodeTimeoutMs,
    maxValueBytes: setting.maxValueBytes,
    maxJsonDepth: setting.maxJsonDepth,
    timers: ports.timers,
  };
  return executeScrubbedAttempt(ports.runBlock, ports.secrets, { block: node.block, inputs: run.inputs, context }, limits, controller, onYield);
}

/** Whether the node's block declares credential fields (most do not: nothing to resolve on the hot path). */
export function needsCredentials(node: CompiledNode): boolean {
  return node.block.credentials !== undefined && Object.keys(node.block.credentials).length > 0;
}
