// One durable queue, two drivers: BullMQ on Redis (REDIS_URL set) and durable_jobs on Postgres (in-process
// mode). Both keep the promises below, and one contract suite (durable-queue.contract.ts) holds them to it.
// Delivery is at least once under a lease: a consumer that dies mid-job loses its lease, and the job is
// delivered again (up to `maxAttempts` deliveries in all), so handlers must tolerate a second delivery.

/** One delivery of a job to a handler. */
export interface QueueJob<T> {
  data: T;
  /** 1 on the first delivery; higher after a lost consumer or a handler that threw. */
  attempt: number;
  /** For a repeating job: the fire time this delivery stands for; null for ordinary jobs. */
  scheduledFor: Date | null;
}

/** Settles when the job is done; a throw is logged, and the job is delivered again until `maxAttempts`. */
export type JobHandler<T> = (job: QueueJob<T>) => Promise<void>;

export interface EnqueueOptions {
  /** Not before this many ms from now. */
  delayMs?: number;
  /**
   * While a job with this key waits (or is delayed), enqueuing the key again does nothing. Once delivered,
   * Postgres frees the key at once; BullMQ only when the job ends (its job id): users may rely on neither.
   */
  dedupeKey?: string;
}

/** When a repeating job fires: a cron of 5 fields (or 6, seconds first) in an IANA time zone. */
export interface RepeatSchedule {
  cron: string;
  timezone: string;
}

export interface ConsumeOptions {
  /** At most this many handlers run at once in this consumer. */
  concurrency: number;
}

export interface DurableQueue<T> {
  readonly driver: 'bullmq' | 'postgres';
  readonly name: string;
  /** Adds a job; throws when the store is unreachable. Jobs due at once start in the order enqueued. */
  enqueue(data: T, options?: EnqueueOptions): Promise<void>;
  /** Adds jobs, in the order given, in one round trip to the store (a group of webhooks); throws like enqueue. */
  enqueueMany(jobs: ReadonlyArray<{ data: T; options?: EnqueueOptions }>): Promise<void>;
  /** Creates or updates a repeating job under `key` (idempotent: every replica may call it). */
  repeat(key: string, schedule: RepeatSchedule, data: T): Promise<void>;
  /** Stops a repeating job (a delivery already running finishes). */
  unrepeat(key: string): Promise<void>;
  /** The keys of the repeating jobs (tests and diagnostics). */
  repeatKeys(): Promise<string[]>;
  /** Worker side: calls `handler` for due jobs, at most `concurrency` at once. */
  consume(handler: JobHandler<T>, options: ConsumeOptions): Promise<void>;
  /** Stops taking jobs and waits for the handlers in flight; enqueuing still works. */
  stop(): Promise<void>;
  /** Jobs waiting or delayed (metrics). */
  depth(): Promise<number>;
  /** stop(), then lets the connections go. */
  close(): Promise<void>;
}

/** Lease and delivery settings shared by both drivers (config `queue.*`). */
export interface QueueSettings {
  /** How long a delivery holds its job without renewal before another consumer may take it. */
  leaseMs: number;
  /** Deliveries of one job before it is given up (kept as failed for inspection). */
  maxAttempts: number;
  /** A handler that threw is tried again after this long, doubled for each attempt before it. */
  retryBackoffMs: number;
}

/** Failed jobs kept per queue for inspection; older ones are deleted. */
export const KEEP_FAILED = 100;
