// The in-memory runner's options, events and result (shapes follow interfaces.md: snake_case fields).
import type { BlockContext, BlockHttpClient, BlockLookup, BlockRuntimeSettings, ResolvedCredential } from '../../blocks/block.types.js';
import type { ExecutionError } from './engine.errors.js';
import type { BlockAttemptFn } from './block-attempt.js';
import type { FinalStatus, NodeAttempt, NodeRunRecord } from './engine.types.js';
import type { AttemptSecretsPort } from './scrubbed-attempt.js';
import type { Timers } from './timers.js';
import type { EventEnd, EventRequest, ReviewEnd, ReviewRequest } from './wait-suspensions.js';

export type { FinalStatus } from './engine.types.js';

export interface ChildRunRequest {
  agent: string;
  version?: number;
  inputs: Record<string, unknown>;
  /** The child's depth (the root execution is 0). */
  depth: number;
  parent_execution_id: string;
  parent_node_id: string;
  /** Aborted when the parent is cancelled or fails: stop the child too. */
  signal: AbortSignal;
}

export interface ChildRunResult {
  status: FinalStatus;
  outputs: Record<string, unknown[]>;
  error: ExecutionError | null;
}

export interface MemoryRunOptions {
  blocks: BlockLookup;
  /** API-style seeding: input name -> value (defaults fill the rest). */
  inputs?: Record<string, unknown>;
  /** Trigger seeding: the trigger node and what it yields (exempt from the value-size limit). */
  trigger?: { node: string; outputs: Record<string, unknown> };
  /** Node id -> pin -> value it yields instead of running (agent tests). A mocked `error` pin fails the node. */
  mocks?: Record<string, Record<string, unknown>>;
  /** Defaults: the graph's max_parallel, else 16. */
  maxParallel?: number;
  /** Per-attempt limit when the node sets none (default 5 minutes). */
  nodeTimeoutMs?: number;
  /** Used when the graph sets no timeout (default 1 hour). */
  executionTimeoutMs?: number;
  maxNodeExecutions?: number;
  maxValueBytes?: number;
  /** `limits.max_json_depth` for yielded values (default 64). */
  maxJsonDepth?: number;
  /** Depth of this execution (0 for a root) and the limit for agent.run (default 8). */
  depth?: number;
  maxDepth?: number;
  /** Starts a child execution for agent.run; without it agent.run nodes fail with a clear message. */
  runChild?: (request: ChildRunRequest) => Promise<ChildRunResult>;
  /**
   * The ends of human.review and wait.event waits, scripted (`trellis test` decisions: and events:): a
   * ReviewEnd / EventEnd (null: the event wait timed out), or text saying why the node cannot go on (it
   * fails with it). Absent: such nodes fail, saying they need a server or a script.
   */
  outside?: {
    review(nodeId: string, request: ReviewRequest): ReviewEnd | string;
    event(nodeId: string, request: EventRequest): EventEnd | null | string;
  };
  /** Calls a block for one attempt (default: blocks/validated-run.ts: inputs validated, defaults applied, yields checked). */
  runAttempt?: BlockAttemptFn;
  /** Credentials of a node's fields; throw an AppError with code CREDENTIAL_UNRESOLVED when one cannot be. */
  resolveCredentials?: (nodeId: string, fields: Record<string, string>) => Record<string, ResolvedCredential>;
  /** Provider -> system default for unmapped fields (BlockContext.systemDefaults). */
  systemDefaults?: Record<string, ResolvedCredential>;
  timers?: Timers;
  /** Aborting it cancels the execution (CANCELLED); running blocks get the abort. */
  signal?: AbortSignal;
  /** Called for every node-execution change and for the execution's own status changes. */
  onEvent?: (event: MemoryRunEvent) => void;
  executionId?: string;
  userId?: string;
  /** Default: a silent logger. */
  logger?: BlockContext['logger'];
  /** Outbound HTTP for blocks; the default refuses every request (`trellis test` runs without network). */
  http?: BlockHttpClient;
  settings?: BlockRuntimeSettings;
}

/** What the engine's runner needs injected (executions/memory-run.ts gives the platform's defaults). */
export interface MemoryRunPorts {
  runAttempt: BlockAttemptFn;
  logger: BlockContext['logger'];
  /** Hides an attempt's secrets in what leaves it (executions/attempt-secrets.ts). */
  secrets: AttemptSecretsPort;
  /** The clock when the options give no `timers` (executions/real-timers.ts on the platform). */
  clock: Timers;
  /** The execution id when the options give none (a random UUID on the platform). */
  newExecutionId: () => string;
}

/** One attempt of a node run, as in the node-run record. */
export type AttemptReport = NodeAttempt;

/** A node execution of an in-memory run: the node-run record's fields that exist without a database. */
export type NodeExecutionReport = Pick<
  NodeRunRecord,
  'id' | 'node_id' | 'block' | 'status' | 'inputs' | 'outputs' | 'error' | 'attempts' | 'started_at' | 'ended_at'
>;

export type MemoryRunEvent =
  { type: 'node'; node_execution: NodeExecutionReport } | { type: 'execution'; status: FinalStatus | 'RUNNING'; error: ExecutionError | null };

export interface MemoryRunResult {
  status: FinalStatus;
  outputs: Record<string, unknown[]>;
  error: ExecutionError | null;
  /** Every node execution in creation order, INCOMPLETE leftovers included. */
  node_executions: NodeExecutionReport[];
}
