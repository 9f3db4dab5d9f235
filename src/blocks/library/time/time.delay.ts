// `time.delay`: passes `value` on after `duration`. Inside an execution the engine suspends the node
// (WAITING, no worker slot, survives restarts) using `delayMs`; run in-process (trellis test, the
// execute API) it waits here, and stops at once when the run is aborted.
import { setTimeout as sleep } from 'node:timers/promises';
import { parseDuration } from '../../../common/units.js';
import { anyValue, defineBlock, Type, withDefault } from '../../pins.js';

/** The delay of a node's inputs in ms (the engine schedules the resume with it). */
export function delayMs(inputs: { duration: string }): number {
  const ms = parseDuration(inputs.duration);
  if (ms === null) throw new Error(`time.delay: "${inputs.duration}" is not a duration`);
  return ms;
}

export const timeDelayBlock = defineBlock({
  id: 'time.delay',
  description: 'Yields value after duration (500ms, 30s, 10m, 2h, 1d). The node waits without holding a worker and survives restarts.',
  category: 'time',
  suspend: 'delay',
  inputs: {
    duration: Type.String({ format: 'duration', description: 'How long to wait: 500ms, 30s, 10m, 2h or 1d.' }),
    value: withDefault(anyValue({ description: 'The value to pass on.' }), null),
  },
  outputs: {
    value: anyValue({ description: 'The value, after the delay.' }),
  },
  cost: 0,
  async *run(inputs, context) {
    await sleep(delayMs(inputs), undefined, { signal: context.signal });
    yield ['value', inputs.value] as const;
  },
});
