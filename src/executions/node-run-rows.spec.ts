import { describe, expect, it } from '@jest/globals';
import type { NodeRun } from './engine/engine.types.js';
import { fromRunRecord, newExtras, runRecordOfRow, toRunRecord, type NodeExecutionRow } from './node-run-rows.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

const run = (extra: Partial<NodeRun> = {}): NodeRun => ({
  id: 'r1',
  seq: 3,
  node: 'fetch',
  block: 'http.request',
  status: 'COMPLETED',
  inputs: { url: 'https://example.test' },
  outputs: { body: ['ok'] },
  error: null,
  attempt: 1,
  delivered_seq: 0,
  waiting_for: null,
  ...extra,
});

describe('runRecordOfRow', () => {
  it('turns what the database returns (bigint text, Dates, nulls for defaults) into the record', () => {
    const row: NodeExecutionRow & { created_at: Date } = {
      id: 'r1',
      execution_id: 'e1',
      seq: '9007199254740',
      node_id: 'fetch',
      block: 'http.request',
      status: 'WAITING',
      inputs: null as unknown as Record<string, unknown>,
      outputs: null as unknown as Record<string, unknown[]>,
      error: null,
      attempt: 2,
      delivered_seq: 0,
      waiting_for: { kind: 'retry', attempt: 3, delay_ms: 500, until: iso(T0 + 500) },
      resume_at: new Date(T0 + 500),
      attempts: [{ attempt: 1, started_at: iso(T0), ended_at: iso(T0 + 10), error: { code: 'NODE_FAILED', message: 'x' } }],
      cost: '4' as unknown as number,
      started_at: new Date(T0),
      ended_at: null,
      created_at: new Date(T0),
    };
    const record = runRecordOfRow(row);
    expect(record).toEqual({
      ...row,
      seq: 9007199254740,
      inputs: {},
      outputs: {},
      cost: 4,
      resume_at: iso(T0 + 500),
      started_at: iso(T0),
      created_at: undefined,
    });
    expect(Object.keys(record)).not.toContain('created_at');
  });
});

describe('toRunRecord and fromRunRecord', () => {
  it('a WAITING delay is stored with its due time and read back as the time left', () => {
    const extras = newExtras();
    extras.resumeAt.set('r1', T0 + 60_000);
    const record = toRunRecord('e1', run({ status: 'WAITING', waiting_for: { kind: 'delay', delay_ms: 60_000 } }), extras, T0);
    expect(record.waiting_for).toEqual({ kind: 'delay', delay_ms: 60_000, until: iso(T0 + 60_000) });
    expect(record.resume_at).toBe(iso(T0 + 60_000));
    const back = fromRunRecord(record, newExtras(), T0 + 45_000);
    expect(back.waiting_for).toEqual({ kind: 'delay', delay_ms: 15_000 });
    expect(back).toEqual({ ...run({ status: 'WAITING' }), waiting_for: { kind: 'delay', delay_ms: 15_000 } });
  });

  it('a final run records when it ended; its settled inputs are written once', () => {
    const extras = newExtras();
    extras.attempts.set('r1', [{ attempt: 1, started_at: iso(T0), ended_at: iso(T0 + 5), error: null }]);
    const first = toRunRecord('e1', run(), extras, T0 + 5);
    expect([first.started_at, first.ended_at, first.inputs_unchanged]).toEqual([iso(T0), iso(T0 + 5), undefined]);
    expect(toRunRecord('e1', run(), extras, T0 + 99)).toMatchObject({ ended_at: iso(T0 + 5), inputs_unchanged: true });
  });

  it('a RUNNING record read back closes its cut-short attempt with the reason', () => {
    const record = toRunRecord('e1', run({ status: 'RUNNING' }), newExtras(), T0);
    record.attempts = [{ attempt: 1, started_at: iso(T0), ended_at: null, error: null }];
    const extras = newExtras();
    fromRunRecord(record, extras, T0 + 1000);
    expect(extras.attempts.get('r1')).toEqual([
      { attempt: 1, started_at: iso(T0), ended_at: iso(T0 + 1000), error: { code: 'NODE_FAILED', message: expect.stringMatching(/stopped .* runs again/) } },
    ]);
  });
});
