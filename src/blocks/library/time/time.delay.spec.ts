import { describe, expect, it } from '@jest/globals';
import { run, runError } from '../../../../test/blocks/context.js';
import { delayMs, timeDelayBlock } from './time.delay.js';

describe('time.delay', () => {
  it('passes the value on after the duration', async () => {
    expect(await run(timeDelayBlock, { duration: '10ms', value: { id: 1 } })).toEqual([['value', { id: 1 }]]);
    expect(await run(timeDelayBlock, { duration: '1ms' })).toEqual([['value', null]]);
  });

  it('suspends in the engine, which reads the delay from its inputs', () => {
    expect(timeDelayBlock.suspend).toBe('delay');
    expect(delayMs({ duration: '2h' })).toBe(7_200_000);
    expect(() => delayMs({ duration: 'soon' })).toThrow('not a duration');
  });

  it('refuses durations it cannot read', async () => {
    const error = await runError(timeDelayBlock, { duration: '5 minutes' });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('duration: "5 minutes" is not a duration; write it like 500ms, 30s');
  });

  it('stops waiting at once when the run is aborted', async () => {
    const controller = new AbortController();
    const pending = runError(timeDelayBlock, { duration: '1h', value: 1 }, { signal: controller.signal });
    controller.abort(new Error('execution stopped'));
    expect((await pending).code).toBe('CANCELLED');
  });
});
