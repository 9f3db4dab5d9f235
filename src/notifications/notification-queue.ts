// How "try delivery X" reaches a worker: BullMQ queue `notifications` under the queue prefix (REDIS_URL set)
// or durable_jobs rows of queue `notifications` (in-process mode). The delivery row is the truth (status,
// attempts, next_attempt_at); a job only points at it, and a lost job is found again by the sweep.

export type DeliveryHandler = (deliveryId: string) => Promise<void>;

export interface NotificationQueue {
  readonly mode: 'bullmq' | 'in-process';
  /** Asks a worker to try the delivery after `delayMs`; `attempt` (1-based) keeps jobs of one delivery apart. */
  enqueue(deliveryId: string, attempt: number, delayMs: number): Promise<void>;
  /** Worker side: calls `handler` for each due job. */
  consume(handler: DeliveryHandler, concurrency: number): Promise<void>;
  close(): Promise<void>;
}

export const NOTIFICATION_QUEUE = Symbol('NOTIFICATION_QUEUE');
export const NOTIFICATIONS_QUEUE_NAME = 'notifications';

/** Attempts per delivery before it is FAILED. */
export const MAX_DELIVERY_ATTEMPTS = 5;
/** The first retry waits this long; each later one twice the one before (1 s, 2 s, 4 s, 8 s). */
export const BASE_BACKOFF_MS = 1_000;

/** The wait before attempt `attempts + 1`, after `attempts` failed ones (exponential backoff). */
export function backoffMs(attempts: number, base = BASE_BACKOFF_MS): number {
  return base * 2 ** Math.max(0, attempts - 1);
}

export function deliveryJobId(deliveryId: string, attempt: number): string {
  return `delivery:${deliveryId}:${attempt}`;
}
