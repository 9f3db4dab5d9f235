// The clock schedules read "now" from: the misfire decision of a fire, the next fire times a sync, a resume or a
// listing computes. A port, so that tests set and advance time instead of sleeping (test/helpers/clock.ts). The
// fire times themselves are kept by the durable queue against its store's own clock (Postgres now(), BullMQ's
// Redis), which no process clock can move: this port has no timers of its own for that reason.

export interface ScheduleClock {
  now(): Date;
}

/** Provide this token (e.g. from a @Global test module) to replace the system clock. */
export const SCHEDULE_CLOCK = Symbol('SCHEDULE_CLOCK');

export const systemClock: ScheduleClock = { now: () => new Date() };
