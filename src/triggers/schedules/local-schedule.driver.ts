// Schedules on Postgres (REDIS_URL unset): `schedules.next_fire_at` is the schedule. Each due row is claimed
// with FOR UPDATE SKIP LOCKED, fired and advanced in one transaction, so any number of processes on one
// database fire each time once (and schedule_fires' key would refuse a second execution anyway). A timer
// waits for the earliest next fire, capped so that rows written by other processes are seen within a second.
import type { Logger } from 'pino';
import type { ScheduleIdentity } from './schedule-times.js';
import { nextFireAfter } from './schedule-times.js';
import type { DriverSchedule, FireHandler, ScheduleDriver } from './schedule-driver.js';
import type { SchedulesRepository } from './schedules.repository.js';

const MAX_WAIT_MS = 1_000;

export class LocalScheduleDriver implements ScheduleDriver {
  readonly mode = 'local' as const;
  private handler: FireHandler | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;

  constructor(
    private readonly repository: SchedulesRepository,
    private readonly graceMs: number,
    private readonly logger: Logger,
  ) {}

  /** The rows are the schedule (next_fire_at is written with them): only look again now. */
  async apply(_schedules: readonly DriverSchedule[]): Promise<void> {
    this.wake();
  }

  async remove(_schedules: readonly ScheduleIdentity[]): Promise<void> {
    this.wake();
  }

  async start(handler: FireHandler): Promise<void> {
    this.handler = handler;
    this.wake();
  }

  async close(): Promise<void> {
    this.handler = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.running) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  private wake(): void {
    if (!this.handler) return;
    if (this.running) {
      this.again = true;
      return;
    }
    void this.tick();
  }

  private async tick(): Promise<void> {
    this.running = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      do {
        this.again = false;
        while (this.handler && (await this.fireOne()));
      } while (this.again && this.handler);
      if (this.handler) {
        const next = await this.repository.earliestNextFire();
        const wait = next ? Math.min(MAX_WAIT_MS, Math.max(5, next.getTime() - Date.now() + 2)) : MAX_WAIT_MS;
        this.timer = setTimeout(() => this.wake(), wait);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'the local scheduler could not read the schedules; trying again shortly');
      if (this.handler) this.timer = setTimeout(() => this.wake(), MAX_WAIT_MS);
    } finally {
      this.running = false;
    }
  }

  /** Claims, fires and advances one due schedule; false when none is due. */
  private async fireOne(): Promise<boolean> {
    const handler = this.handler;
    if (!handler) return false;
    const fired = await this.repository.transaction(async (manager) => {
      const due = await this.repository.claimDue(manager);
      if (!due) return { claimed: false, executionId: null };
      const scheduledFor = new Date(due.next_fire_at);
      const executionId = await handler.fire(due.id, scheduledFor, manager);
      // Catch up fire times still within the grace; past it, continue from now (no burst).
      const now = new Date();
      const from = now.getTime() - scheduledFor.getTime() > this.graceMs ? now : scheduledFor;
      let next = nextFireAfter(due.cron, due.timezone, from);
      if (now.getTime() - next.getTime() > this.graceMs) next = nextFireAfter(due.cron, due.timezone, now);
      await this.repository.setNextFire(due.id, next, manager);
      return { claimed: true, executionId };
    });
    if (fired.executionId) await handler.dispatch(fired.executionId);
    return fired.claimed;
  }
}
