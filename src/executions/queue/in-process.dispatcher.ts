// Dispatch on Postgres (REDIS_URL unset): jobs are durable_jobs rows. A claim deletes due rows with
// FOR UPDATE SKIP LOCKED (the execution row, not the job, is what a crash must not lose: the sweep finds
// it again). Dispatches in this process wake the consumer at once; a timer waits for the next delayed
// row; a slow poll is only the safety net for rows written by other processes.
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { dispatchJobId, EXECUTIONS_QUEUE, type DispatchHandler, type ExecutionDispatcher } from './execution-dispatcher.js';

const SAFETY_POLL_MS = 2_000;

export class InProcessDispatcher implements ExecutionDispatcher {
  readonly mode = 'in-process' as const;
  private handler: DispatchHandler | null = null;
  private concurrency = 1;
  private inFlight = 0;
  private polling = false;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private safety: NodeJS.Timeout | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
  ) {}

  async dispatch(executionId: string, delayMs = 0): Promise<void> {
    const delayed = delayMs > 0;
    const dueAt = delayed ? Date.now() + delayMs : undefined;
    await this.dataSource.query(
      `INSERT INTO durable_jobs (queue, name, payload, run_at, dedupe_key) VALUES ($1, 'look', $2, now() + make_interval(secs => $3::float8 / 1000), $4)
       ON CONFLICT (queue, dedupe_key) DO NOTHING`,
      [EXECUTIONS_QUEUE, JSON.stringify({ execution_id: executionId }), delayMs, dispatchJobId(executionId, dueAt)],
    );
    if (!this.handler) return;
    if (delayed) this.wakeAt(Date.now() + delayMs);
    else this.wake();
  }

  async consume(handler: DispatchHandler, concurrency: number): Promise<void> {
    this.handler = handler;
    this.concurrency = Math.max(1, concurrency);
    this.safety = setInterval(() => this.wake(), SAFETY_POLL_MS);
    this.wake();
  }

  async stopConsuming(): Promise<void> {
    this.handler = null;
    if (this.safety) clearInterval(this.safety);
    if (this.timer) clearTimeout(this.timer);
    this.safety = this.timer = null;
  }

  async depth(): Promise<number> {
    const rows = (await this.dataSource.query(`SELECT count(*)::int AS n FROM durable_jobs WHERE queue = $1 AND failed_at IS NULL`, [EXECUTIONS_QUEUE])) as Array<{ n: number }>;
    return rows[0]?.n ?? 0;
  }

  async close(): Promise<void> {
    await this.stopConsuming();
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
        const rows = (await this.dataSource.query(
          `DELETE FROM durable_jobs WHERE id IN (
             SELECT id FROM durable_jobs WHERE queue = $1 AND run_at <= now() AND failed_at IS NULL ORDER BY run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING payload`,
          [EXECUTIONS_QUEUE, room],
        )) as [Array<{ payload: { execution_id: string } }>, number];
        for (const { payload } of rows[0]) {
          this.inFlight++;
          void handler(payload.execution_id)
            .catch((error: unknown) => this.logger.error({ err: error, execution_id: payload.execution_id }, 'dispatch handler failed'))
            .finally(() => {
              this.inFlight--;
              this.wake();
            });
        }
        if (rows[0].length === room) this.again = true;
        else await this.armNext();
      } while (this.again);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not read the executions queue; trying again shortly');
    } finally {
      this.polling = false;
    }
  }

  /** A timer for the next delayed row, so it starts on time without polling. */
  private async armNext(): Promise<void> {
    const rows = (await this.dataSource.query(`SELECT min(run_at) AS next FROM durable_jobs WHERE queue = $1 AND failed_at IS NULL`, [EXECUTIONS_QUEUE])) as Array<{ next: Date | null }>;
    const next = rows[0]?.next;
    if (next) this.wakeAt(new Date(next).getTime());
  }
}
