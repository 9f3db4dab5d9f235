// The contracts of execution admission (admission/execution-admission.service.ts): what a caller asks to
// start, the row admission writes, and the ports it reads facts through (fakes in its unit tests).
import type { EntityManager } from 'typeorm';
import type { CompiledGraph } from '../engine/graph.compiler.js';
import type { ExecutionSource } from '../execution.entity.js';

/**
 * Why an execution may be admitted by file trust (file-trust.ts), settled in the INSERT itself so that the
 * graph's source and active version are those of the commit:
 * - `none`: never (ad-hoc schedules; API runs the execute API did not admit);
 * - `admitted`: decided by the execute API before its checks (an admin's run of a file agent's active version);
 * - `own-trigger`: the agent's own trigger fired (webhook, GitHub, a trigger.cron node): a file agent's active version;
 * - `child`: a file agent's active version started by an admitted parent, or for an admin.
 */
export type FileTrustBasis = 'none' | 'admitted' | 'own-trigger' | 'child';

/** One executions row as admission writes it (QUEUED; everything else takes its default). */
export interface AdmittedExecution {
  id: string;
  graph_id: string;
  graph_version: number;
  source: ExecutionSource;
  user_id: string;
  trigger_node: string | null;
  trigger_event: Record<string, unknown> | null;
  inputs: Record<string, unknown>;
  credentials: Record<string, unknown>;
  preset_id: string | null;
  rerun_of: string | null;
  /** Retry from the failure (`source: retry`): the execution it retries. */
  retry_of: string | null;
  schedule_id: string | null;
  parent_id: string | null;
  parent_node_execution_id: string | null;
  depth: number;
  trust: FileTrustBasis;
  /** Claimed at admission (LocalClaim): the row is written RUNNING under this worker's lease and deadline. */
  lease_owner?: string;
  lease_ms?: number;
  timeout_ms?: number;
}

/** A trigger's execution (webhook, GitHub): the agent's own trigger node fired with this event. */
export interface TriggeredExecution {
  /** Made by the caller (randomUUID), so its answer is known before the write. */
  id: string;
  graph_id: string;
  graph_version: number;
  user_id: string;
  trigger_node: string;
  trigger_event: Record<string, unknown>;
}

/** One schedule fire: a trigger.cron node (`trigger_node` set) or an ad-hoc schedule's inputs. */
export interface ScheduledExecution {
  id: string;
  schedule_id: string;
  graph_id: string;
  graph_version: number;
  user_id: string;
  trigger_node: string | null;
  trigger_event: Record<string, unknown> | null;
  inputs: Record<string, unknown>;
}

/** A child execution (agent.run, ai.agent agent tools), written with its parent's WAITING row. */
export interface NewChildExecution {
  id: string;
  graph_id: string;
  graph_version: number;
  user_id: string;
  parent_id: string;
  parent_node_execution_id: string;
  depth: number;
  inputs: Record<string, unknown>;
  /** Retry from the failure: the failed child this one retries (its completed node executions are reused). */
  retry_of?: string | null;
}

/** What admission knows of a graph before it admits a run of it. */
export interface GraphFacts {
  id: string;
  source: string;
  created_by: string | null;
  owner_id: string | null;
  active: boolean;
  active_version: number;
}

export interface PresetFacts {
  user_id: string;
  inputs: Record<string, unknown>;
  credentials: Record<string, unknown>;
}

/** Facts of lower modules (graphs, presets, credits, users), read through their owners' repositories. */
export interface AdmissionFacts {
  graph(id: string): Promise<GraphFacts | null>;
  /** The version a run would use (`version` if stored, else the active one of an active graph), with who may see the graph. */
  runnable(graphId: string, version: number | null): Promise<{ version: number; source: string; created_by: string | null } | null>;
  compiled(graphId: string, version: number): Promise<CompiledGraph | null>;
  preset(id: string, graphId: string): Promise<PresetFacts | null>;
  /** The credit balance; null when the user has no account. */
  balance(userId: string): Promise<number | null>;
  /** The user's role now; null when the user does not exist. */
  role(userId: string): Promise<string | null>;
}

/** What the INSERT answers of a row claimed at admission: what its worker starts from, as a claim would read it. */
export interface ClaimFacts {
  id: string;
  inputs: Record<string, unknown>;
  trigger_event: Record<string, unknown> | null;
  credentials: Record<string, unknown>;
  file_trust: boolean;
  vars: Record<string, unknown> | null;
  started_at: Date;
  deadline_at: Date;
}

/** The one writer of `executions` rows (admission.repository.ts); `manager` joins the caller's transaction. */
export interface AdmissionStore<Row> {
  /** The row as the API shows it, with what a claim at admission needs (when the row has a `lease_owner`). */
  insertOne(row: AdmittedExecution, manager?: EntityManager): Promise<Row & ClaimFacts>;
  /** Answers the facts of the rows claimed at admission (none when no row has a `lease_owner`). */
  insertMany(rows: readonly AdmittedExecution[], manager?: EntityManager): Promise<ClaimFacts[]>;
}

/**
 * A slot of this process's worker, reserved before the INSERT for an execution it will run at once (claim at
 * admission: an instant graph, worker/admission-claim.ts): the row is written RUNNING under the worker's lease,
 * which saves the claim UPDATE. Exactly one of `start` (the row committed) or `cancel` (it was not written) follows.
 */
export interface LocalClaim {
  readonly lease: { lease_owner: string; lease_ms: number; timeout_ms: number };
  start(row: AdmittedExecution, facts: ClaimFacts): void;
  cancel(): void;
}

/** Where admitted executions go once committed: this process's worker when it has room, else the durable queue. */
export interface AdmissionQueue {
  offerLocal(executionId: string): boolean;
  /** A claim at admission by this process's worker for a run of `graph`, or null (no worker here, no room, or not an instant graph). */
  claimLocal(graph: CompiledGraph): LocalClaim | null;
  /** One round trip to the queue for all of them. */
  dispatch(executionIds: readonly string[]): Promise<void>;
}
