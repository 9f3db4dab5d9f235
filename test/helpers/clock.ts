// A clock for the schedules' clock port (src/triggers/schedules/schedule-clock.types.ts) that tests set and
// advance instead of sleeping. It follows the real time until set, so fires the durable queue delivers at real
// fire times are judged as in production; `clockModule` hands it to createTestApp's `modules`.
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { SCHEDULE_CLOCK, type ScheduleClock } from '../../src/triggers/schedules/schedule-clock.types.js';

export class TestClock implements ScheduleClock {
  private fixed: number | null = null;

  now(): Date {
    return new Date(this.fixed ?? Date.now());
  }

  /** Stops the clock at `at`. */
  set(at: Date): void {
    this.fixed = at.getTime();
  }

  /** Moves a stopped clock on by `ms` (a running one is stopped first, at the real time). */
  advance(ms: number): void {
    this.fixed = (this.fixed ?? Date.now()) + ms;
  }

  /** Back to the real time. */
  release(): void {
    this.fixed = null;
  }
}

@Global()
@Module({})
class TestClockModule {}

/** A global module providing `clock` as the schedules' clock. */
export function clockModule(clock: ScheduleClock): DynamicModule {
  return { module: TestClockModule, providers: [{ provide: SCHEDULE_CLOCK, useValue: clock }], exports: [SCHEDULE_CLOCK] };
}
