// What the durable runner is given (limits, ports) and how it ends.
import type { Logger } from 'pino';
import type { AgentMetricsPort, BlockHttpClient, BlockLookup, BlockRuntimeSettings } from '../../blocks/block.types.js';
import type { AgentCheckpointStore } from '../../blocks/agent-tools.runner.js';
import type { CredentialResolver } from '../../blocks/credential-resolver.js';
import type { BlockAttemptFn } from '../engine/block-attempt.js';
import type { ExecutionStatus } from '../engine/engine.types.js';
import type { Timers } from '../engine/timers.js';
import type { ExecutionChargeHook } from '../execution.hooks.js';
import type { ChildRow } from './child-watch.js';
import type { ClaimedExecution, ExecutionWrite, WrittenExecution } from './execution-store.repository.js';
import type { RunWrite } from '../node-run-rows.js';
import type { OutsideWaits } from '../outside-waits.types.js';
import type { ToolApprovals } from './tool-approvals.js';
import type { ToolChildren } from './tool-children.js';
import type { EarlyRule } from './early-attempts.js';

export interface RunnerLimits {
  maxParallel: number;
  nodeTimeoutMs: number;
  maxNodeExecutions: number;
  maxValueBytes: number;
  maxDepth: number;
  /** `limits.max_json_depth` (default 64). */
  maxJsonDepth?: number;
  /** `executor.max_resumes`: re-runs of a node after lease lapses before WORKER_LOST (default 3). */
  maxResumes?: number;
}

export interface RunnerDeps {
  write(write: ExecutionWrite): Promise<WrittenExecution | null>;
  childResults(ids: string[]): Promise<ChildRow[]>;
  /** The child's version, or null when it does not exist or `userId` may not start it (graph-access.ts). */
  childVersion(graphId: string, version: number | null, userId: string): Promise<number | null>;
  cancelExecutions(ids: string[]): Promise<void>;
  dispatch(executionId: string, delayMs?: number): void;
  blocks: BlockLookup;
  resolver: CredentialResolver;
  /** Where ai.agent conversations are stored (absent: not durable, as in unit tests). */
  conversations?: AgentCheckpointStore;
  /** Where ai.agent model calls, tokens and tool calls are counted (absent: nowhere). */
  agentMetrics?: AgentMetricsPort;
  charge: ExecutionChargeHook;
  http(signal: AbortSignal): BlockHttpClient;
  settings: BlockRuntimeSettings;
  logger: Logger;
  /** Blocks whose attempts may start before their step is written (default: early-attempts.ts mayRunBeforeItsRow). */
  runsEarly?: EarlyRule;
  /** The block runner (default: blocks/validated-run.ts) and the clock (default: real timers). */
  runBlock?: BlockAttemptFn;
  timers?: Timers;
  /** Called after each written step, in order: the shell publishes events from it. */
  announce(execution: ClaimedExecution, runs: RunWrite[], status: { status: ExecutionStatus; error: unknown; outputs: unknown; cost: number } | null): void;
  attemptEnded(block: string, ok: boolean, seconds: number): void;
  /** Reviews and event waits (absent: human.review and wait.event nodes fail). */
  outside?: OutsideWaits | null;
  /** The worker's record of reviews ai.agent attempts asked for (absent: the runner keeps its own). */
  toolApprovals?: ToolApprovals;
  /** The worker's record of child executions ai.agent attempts asked for (absent: agent tools cannot run). */
  toolChildren?: ToolChildren;
  finished(written: WrittenExecution, execution: ClaimedExecution, error: unknown, outputs: Record<string, unknown[]> | null): void;
}

export type RunnerEnd = 'finished' | 'parked' | 'lost' | 'drained';
