// How "try delivery X" reaches a worker: the durable queue `notifications` (src/queue: BullMQ when REDIS_URL
// is set, durable_jobs otherwise). The delivery row is the truth (status, attempts, next_attempt_at); a job
// only points at it, and a lost job is found again by the sweep.
import type { DurableQueue } from '../queue/durable-queue.types.js';

export type DeliveryHandler = (deliveryId: string) => Promise<void>;

export interface NotificationQueue {
  readonly mode: 'bullmq' | 'in-process';
  /** Asks a worker to try the delivery after `delayMs`; `attempt` (1-based) keeps jobs of one delivery apart. */
  enqueue(deliveryId: string, attempt: number, delayMs: number): Promise<void>;
  /** Worker side: calls `handler` for each due job. */
  consume(handler: DeliveryHandler, concurrency: number): Promise<void>;
  /** Stops taking jobs, waits for deliveries in flight, and lets the connections go. */
  close(): Promise<void>;
}

export class QueueNotificationQueue implements NotificationQueue {
  readonly mode: 'bullmq' | 'in-process';

  constructor(private readonly queue: DurableQueue<{ delivery_id: string }>) {
    this.mode = queue.driver === 'bullmq' ? 'bullmq' : 'in-process';
  }

  enqueue(deliveryId: string, attempt: number, delayMs: number): Promise<void> {
    return this.queue.enqueue({ delivery_id: deliveryId }, { delayMs, dedupeKey: deliveryJobId(deliveryId, attempt) });
  }

  consume(handler: DeliveryHandler, concurrency: number): Promise<void> {
    return this.queue.consume((job) => handler(String(job.data.delivery_id)), { concurrency });
  }

  close(): Promise<void> {
    return this.queue.close();
  }
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
