// `trigger.cron`: starts an execution at each fire time of a cron schedule in a time zone. The schedules
// module fires it (once per fire time across the cluster) and uses `cronFireTimes`; running the block
// directly passes a given `event` through, or simulates the latest fire time.
import { CronExpressionParser } from 'cron-parser';
import { anyValue, defineBlock, optional, Type, withDefault } from '../../pins.js';

/** The next `count` fire times after `from` (or the previous ones before it, with `direction: 'prev'`). */
export function cronFireTimes(schedule: string, timezone: string, count: number, from = new Date(), direction: 'next' | 'prev' = 'next'): Date[] {
  const expression = CronExpressionParser.parse(schedule.trim().split(/\s+/).join(' '), { tz: timezone, currentDate: from });
  const times: Date[] = [];
  for (let i = 0; i < count; i++) times.push((direction === 'next' ? expression.next() : expression.prev()).toDate());
  return times;
}

export const cronTriggerBlock = defineBlock({
  id: 'trigger.cron',
  description:
    'Starts one execution at each fire time of `schedule` (cron: 5 fields, or 6 with seconds first) in `timezone`, exactly once across the cluster. A fire more than schedules.misfire_grace late is skipped. Yields fired_at, scheduled_for and the constant payload.',
  category: 'trigger',
  trigger: true,
  inputs: {
    schedule: Type.String({ format: 'cron', description: 'Cron expression, such as "0 9 * * 1-5" (9:00 on weekdays) or "*/30 * * * * *" (every 30 seconds).' }),
    timezone: withDefault(Type.String({ format: 'timezone', description: 'IANA time zone the schedule is read in.' }), 'UTC'),
    payload: withDefault(anyValue({ description: 'A constant passed along with every fire.' }), null),
    event: optional(
      Type.Object(
        {
          fired_at: optional(Type.String({ format: 'date-time' })),
          scheduled_for: optional(Type.String({ format: 'date-time' })),
          payload: optional(anyValue()),
        },
        { additionalProperties: false, description: 'A fire to pass through when the block is run directly (tests and replays); the server sets it.' },
      ),
    ),
  },
  outputs: {
    fired_at: Type.String({ format: 'date-time', description: 'When the execution was started (ISO 8601).' }),
    scheduled_for: Type.String({ format: 'date-time', description: 'The fire time it was started for (ISO 8601).' }),
    payload: anyValue({ description: "The trigger's payload." }),
  },
  cost: 0,
  async *run(inputs) {
    const now = new Date();
    const event = inputs.event ?? {};
    const scheduledFor = event.scheduled_for ?? cronFireTimes(inputs.schedule, inputs.timezone, 1, now, 'prev')[0]!.toISOString();
    yield ['fired_at', event.fired_at ?? now.toISOString()] as const;
    yield ['scheduled_for', scheduledFor] as const;
    yield ['payload', event.payload !== undefined ? event.payload : inputs.payload] as const;
  },
});
