// `time.now`: the current time in a time zone, as ISO 8601, unix seconds, and formatted with Luxon tokens.
import { DateTime } from 'luxon';
import { defineBlock, Type, withDefault } from '../../pins.js';

export const timeNowBlock = defineBlock({
  id: 'time.now',
  description:
    "The current time in `timezone`: iso (ISO 8601 with the zone's offset), unix (seconds) and formatted with Luxon format tokens (yyyy-MM-dd HH:mm, cccc d LLLL...).",
  category: 'time',
  inputs: {
    timezone: withDefault(Type.String({ format: 'timezone', description: 'IANA time zone, such as Europe/Paris.' }), 'UTC'),
    format: withDefault(
      Type.String({ description: 'Luxon format tokens for formatted (https://moment.github.io/luxon/#/formatting?id=table-of-tokens).' }),
      'yyyy-MM-dd HH:mm:ss',
    ),
  },
  outputs: {
    iso: Type.String({ format: 'date-time', description: 'ISO 8601 with the zone offset.' }),
    unix: Type.Integer({ description: 'Seconds since 1970-01-01T00:00:00Z.' }),
    formatted: Type.String({ description: 'The time written with format.' }),
  },
  cost: 0,
  async *run(inputs) {
    const now = DateTime.now().setZone(inputs.timezone);
    yield ['iso', now.toISO({ suppressMilliseconds: false })!] as const;
    yield ['unix', Math.floor(now.toSeconds())] as const;
    yield ['formatted', now.toFormat(inputs.format)] as const;
  },
});
