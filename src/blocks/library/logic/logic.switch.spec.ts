import { describe, expect, it } from '@jest/globals';
import { run, runError } from '../../../../test/blocks/context.js';
import { switchBlock } from './logic.switch.js';

const cases = { bug: 'bug', feature: 'enhancement', pair: [1, 2] };

describe('logic.switch', () => {
  it('yields the value on the pin of the first equal case', async () => {
    expect(await run(switchBlock, { value: 'enhancement', cases })).toEqual([['feature', 'enhancement']]);
    expect(await run(switchBlock, { value: [1, 2], cases })).toEqual([['pair', [1, 2]]]);
    expect(await run(switchBlock, { value: 'x', cases: { first: 'x', second: 'x' } })).toEqual([['first', 'x']]);
  });

  it('yields on default when no case equals the value', async () => {
    expect(await run(switchBlock, { value: 'question', cases })).toEqual([['default', 'question']]);
  });

  it('has one output pin per case', () => {
    expect(switchBlock.dynamicOutputs!({ cases }, { agentOutputs: () => undefined })).toEqual(['bug', 'feature', 'pair']);
    expect(switchBlock.dynamicOutputs!({}, { agentOutputs: () => undefined })).toEqual([]);
  });

  it('refuses case names that cannot be pins, and no cases at all', async () => {
    const bad = await runError(switchBlock, { value: 1, cases: { 'Not-A-Pin': 1 } });
    expect(bad.code).toBe('INVALID_INPUT');
    expect(bad.message).toContain('expected case names of lower-case letters');
    expect((await runError(switchBlock, { value: 1, cases: { default: 1 } })).message).toContain('other than default and error');
    expect((await runError(switchBlock, { value: 1, cases: {} })).message).toContain('cases: must NOT have fewer than 1 properties');
  });

  it('stops when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await runError(switchBlock, { value: 1, cases }, { signal: controller.signal })).code).toBe('CANCELLED');
  });
});
