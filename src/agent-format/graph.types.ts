// The canonical form of an agent (spec/agent-format.md): what the parser produces, what the content
// hash is computed over, what a graph version stores, and what the engine schedules.

export interface RetryPolicy {
  /** All tries, the first included. */
  attempts: number;
  backoff: 'fixed' | 'exponential';
  /** Milliseconds. */
  delay: number;
  /** Milliseconds. */
  max_delay?: number;
  /**
   * Which failures are tried again: `transient` (timeouts, connection errors, 408, 429, 5xx, and what a
   * block marks transient; the default) and/or error codes. Absent means `transient`.
   */
  on?: RetryOn;
}

/** `transient`, or a list of error codes that may include `transient`. */
export type RetryOn = 'transient' | readonly string[];

export interface NodeDefinition {
  block: string;
  /** Constant values for input pins. */
  inputs: Record<string, unknown>;
  /** Credential field -> credential name. */
  credentials: Record<string, string>;
  retry?: RetryPolicy;
  /** Per-attempt time limit, milliseconds. */
  timeout?: number;
  /** At most this many runs of the node at once within one execution, in arrival order (WAITING ones hold their slot). */
  concurrency?: number;
  description?: string;
}

export interface LinkEnd {
  node: string;
  pin: string;
}

export interface LinkDefinition {
  /** `a.out.k1.k2`: `path` is `['k1','k2']` (list items as their index text). */
  from: LinkEnd & { path: string[] };
  /** `b.in.key`: `key` sets one key of a dict-typed pin. */
  to: LinkEnd & { key?: string };
  static: boolean;
}

export interface NotifySettings {
  on_success: string[];
  on_failure: string[];
}

/** A scripted review decision of a test; `timeout`: nobody decides before the node's timeout. */
export type TestDecision = { decision: 'approve' | 'reject' | 'edit' | 'timeout'; comment?: string; data?: unknown; by?: string };

/** A scripted event of a test (`headers` names in lower case); `timeout`: nothing arrives in time. */
export type TestEvent = { event: unknown; headers: Record<string, string> } | { timeout: true };

export interface AgentTestCase {
  name: string;
  trigger?: { node: string; outputs: Record<string, unknown> };
  inputs?: Record<string, unknown>;
  /** node id -> outputs it yields instead of running: pin -> value. */
  mocks: Record<string, Record<string, unknown>>;
  /** human.review node id -> what its runs are decided, in order (agent-tests.waits.ts). */
  decisions?: Record<string, TestDecision[]>;
  /** wait.event node id -> what arrives for its runs, in order. */
  events?: Record<string, TestEvent[]>;
  expect: {
    status?: 'COMPLETED' | 'FAILED' | 'CANCELLED';
    outputs?: Record<string, unknown[]>;
    ran?: string[];
    not_ran?: string[];
    error?: { code?: string; node_id?: string };
  };
}

export interface AgentDefinition {
  name: string;
  description?: string;
  owner?: string;
  concurrency?: number;
  /** Execution time limit, milliseconds. */
  timeout?: number;
  max_parallel?: number;
  notify?: NotifySettings;
  /** Named JSON constants (`vars:`), overridable per environment for file agents (release-2.md section 2). */
  vars?: Record<string, unknown>;
  nodes: Record<string, NodeDefinition>;
  links: LinkDefinition[];
  tests?: AgentTestCase[];
}

export type GraphSource = 'file' | 'api';
