// Checks every execution test can end with: nothing it started is left RUNNING (or QUEUED) behind it.
import { expect } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { waitFor } from './wait.js';

/**
 * Waits (bounded) until no execution is RUNNING or QUEUED, then asserts it: an execution left running
 * after a test is one that a poison value, a lost write or a lapsed lease has stuck.
 */
export async function expectNoExecutionLeftRunning(dataSource: DataSource, timeoutMs = 15_000): Promise<void> {
  const probe = () =>
    dataSource.query(`SELECT id, status, error FROM executions WHERE status IN ('RUNNING', 'QUEUED') ORDER BY created_at`) as Promise<
      Array<{ id: string; status: string }>
    >;
  const left = await waitFor(probe, (rows) => rows.length === 0, { timeoutMs, what: 'every execution to finish' }).catch(() => probe());
  expect(left).toEqual([]);
}
