import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { FinishedExecution } from '../execution.hooks.js';
import { ExecutionFinish, FinishFollowUps, type FinishPorts } from './execution-finish.js';

const turn = () => new Promise((resolve) => setImmediate(resolve));

function fixture(limits: boolean, hookFails = false) {
  const seen = { dispatched: [] as string[], hooked: [] as FinishedExecution[], counted: [] as string[], warned: 0 };
  const logger = pino({ level: 'silent' });
  logger.warn = (() => void seen.warned++) as typeof logger.warn;
  const ports: FinishPorts = {
    dispatch: async (id) => void seen.dispatched.push(id),
    nextQueued: async (graphId) => `next-of-${graphId}`,
    limitsConcurrency: () => limits,
    hook: {
      finished: async (execution) => {
        seen.hooked.push(execution);
        if (hookFails) throw new Error('smtp down');
      },
    },
    counted: (agent, status) => void seen.counted.push(`${agent}:${status}`),
    logger,
  };
  return { finish: new ExecutionFinish(ports), seen };
}

const written = { id: 'e1', status: 'FAILED' as const, graph_id: 'g', graph_version: 2, user_id: 'u1', parent_id: 'p1' };

describe('ExecutionFinish', () => {
  it('counts the execution, wakes its parent, runs the finished hook with the final status, error and outputs', async () => {
    const { finish, seen } = fixture(false);
    finish.finished(written, { code: 'NODE_FAILED', message: 'x' }, null);
    await turn();
    expect(seen.counted).toEqual(['g:FAILED']);
    expect(seen.dispatched).toEqual(['p1']);
    expect(seen.hooked).toEqual([
      {
        id: 'e1',
        graph_id: 'g',
        graph_version: 2,
        user_id: 'u1',
        parent_id: 'p1',
        status: 'FAILED',
        error: { code: 'NODE_FAILED', message: 'x' },
        outputs: null,
      },
    ]);
  });

  it('dispatches the next QUEUED execution only for an agent that limits its concurrency', async () => {
    const limited = fixture(true);
    limited.finish.finished({ ...written, parent_id: null }, null, {});
    await turn();
    expect(limited.seen.dispatched).toEqual(['next-of-g']);
    const free = fixture(false);
    free.finish.finished({ ...written, parent_id: null }, null, {});
    await turn();
    expect(free.seen.dispatched).toEqual([]);
  });

  it('logs a failing finished hook and raises nothing', async () => {
    const { finish, seen } = fixture(false, true);
    expect(() => finish.finished(written, null, null)).not.toThrow();
    await turn();
    expect(seen.warned).toBe(1);
  });
});

describe('FinishFollowUps (the worker finish and a stop through the API)', () => {
  it('wakes a parent and starts the next QUEUED execution, a failed dispatch being only late', async () => {
    const dispatched: string[] = [];
    const followUps = new FinishFollowUps({
      dispatch: async (id) => {
        if (id === 'down') throw new Error('queue away');
        dispatched.push(id);
      },
      nextQueued: async (graphId) => (graphId === 'empty' ? null : `next-of-${graphId}`),
    });
    await followUps.wakeParent('p1');
    await expect(followUps.wakeParent('down')).resolves.toBeUndefined();
    await followUps.startNextQueued('g');
    await followUps.startNextQueued('empty');
    expect(dispatched).toEqual(['p1', 'next-of-g']);
  });
});
