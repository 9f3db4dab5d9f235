import { describe, expect, it } from '@jest/globals';
import { runError } from '../../../../test/blocks/context.js';
import { agentRunBlock } from './agent.run.js';

describe('agent.run', () => {
  it('only runs inside an execution, and says so', async () => {
    const error = await runError(agentRunBlock, { agent: 'summarise-pr', inputs: { number: 7 } });
    expect(error).toMatchObject({ code: 'NEEDS_ENGINE', status: 400, details: { agent: 'summarise-pr' } });
    expect(error.message).toContain('only runs inside an execution');
  });

  it("suspends as a child execution, with the child's outputs as pins", () => {
    expect(agentRunBlock.suspend).toBe('child_execution');
    const lookup = { agentOutputs: (name: string) => (name === 'summarise-pr' ? ['summary', 'labels', 'error'] : undefined) };
    expect(agentRunBlock.dynamicOutputs!({ agent: 'summarise-pr' }, lookup)).toEqual(['summary', 'labels']);
    expect(agentRunBlock.dynamicOutputs!({ agent: 'unknown' }, lookup)).toEqual([]);
    expect(agentRunBlock.dynamicOutputs!({}, lookup)).toEqual([]);
  });

  it('refuses bad agent names and versions', async () => {
    const error = await runError(agentRunBlock, { agent: 'Not An Agent', version: 0 });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('agent: expected an agent name');
    expect(error.message).toContain('version: must be >= 1');
  });

  it('stops when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await runError(agentRunBlock, { agent: 'child' }, { signal: controller.signal })).code).toBe('CANCELLED');
  });
});
