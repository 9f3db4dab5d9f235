// The notification queue on Postgres (REDIS_URL unset): durable_jobs rows of queue `notifications`, so a
// pending retry survives a restart. Claims delete due rows with FOR UPDATE SKIP LOCKED; a timer waits for
// the next delayed row, and a slow poll picks up rows other processes wrote.
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { deliveryJobId, NOTIFICATIONS_QUEUE_NAME, type DeliveryHandler, type NotificationQueue } from './notification-queue.js';

const SAFETY_POLL_MS = 2_000;

export class InProcessNotificationQueue implements NotificationQueue {
  readonly mode = 'in-process' as const;
  private handler: DeliveryHandler | null = null;
  private concurrency = 1;
  private inFlight = 0;
  private polling = false;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private safety: NodeJS.Timeout | null = null;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
  ) {}

  async enqueue(deliveryId: string, attempt: number, delayMs: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO durable_jobs (queue, name, payload, run_at, dedupe_key) VALUES ($1, 'deliver', $2, now() + make_interval(secs => $3::float8 / 1000), $4)
       ON CONFLICT (queue, dedupe_key) DO NOTHING`,
      [NOTIFICATIONS_QUEUE_NAME, JSON.stringify({ delivery_id: deliveryId }), Math.max(0, delayMs), deliveryJobId(deliveryId, attempt)],
    );
    if (!this.handler) return;
    if (delayMs > 0) this.wakeAt(Date.now() + delayMs);
    else this.wake();
  }

  async consume(handler: DeliveryHandler, concurrency: number): Promise<void> {
    this.handler = handler;
    this.concurrency = Math.max(1, concurrency);
    this.safety = setInterval(() => this.wake(), SAFETY_POLL_MS);
    this.wake();
  }

  async close(): Promise<void> {
    this.handler = null;
    if (this.safety) clearInterval(this.safety);
    if (this.timer) clearTimeout(this.timer);
    this.safety = this.timer = null;
    await Promise.allSettled([...this.running]);
  }

  private wake(): void {
    if (this.polling) {
      this.again = true;
      return;
    }
    void this.poll();
  }

  private wakeAt(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), Math.max(20, at - Date.now() + 5));
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      do {
        this.again = false;
        const handler = this.handler;
        const room = this.concurrency - this.inFlight;
        if (!handler || room <= 0 || !this.dataSource.isInitialized) break;
        const [rows] = (await this.dataSource.query(
          `DELETE FROM durable_jobs WHERE id IN (
             SELECT id FROM durable_jobs WHERE queue = $1 AND run_at <= now() AND failed_at IS NULL ORDER BY run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING payload`,
          [NOTIFICATIONS_QUEUE_NAME, room],
        )) as [Array<{ payload: { delivery_id: string } }>, number];
        for (const { payload } of rows) this.run(handler, payload.delivery_id);
        if (rows.length === room) this.again = true;
        else await this.armNext();
      } while (this.again);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not read the notifications queue; trying again shortly');
    } finally {
      this.polling = false;
    }
  }

  private run(handler: DeliveryHandler, deliveryId: string): void {
    this.inFlight++;
    const job = handler(deliveryId)
      .catch((error: unknown) => this.logger.error({ err: error, delivery_id: deliveryId }, 'a notification delivery handler failed'))
      .finally(() => {
        this.inFlight--;
        this.running.delete(job);
        if (this.handler) this.wake();
      });
    this.running.add(job);
  }

  private async armNext(): Promise<void> {
    const rows = (await this.dataSource.query(`SELECT min(run_at) AS next FROM durable_jobs WHERE queue = $1 AND failed_at IS NULL`, [NOTIFICATIONS_QUEUE_NAME])) as Array<{ next: Date | null }>;
    const next = rows[0]?.next;
    if (next) this.wakeAt(new Date(next).getTime());
  }
}
