// Admission's rules with fakes of its ports (no database, no queue): tenancy, file trust, presets, input and
// credential checks, the credit pre-check, the row each way in writes, and the hand-over after the write.
// Triggers, schedules and children: execution-admission.triggers.spec.ts.
import { describe, expect, it } from '@jest/globals';
import { AppError } from '../../common/errors.js';
import { HELLO, KEYED, LIMITED, ada, apiGraph, bob, fileGraph, hello, root, setup } from './execution-admission.fixtures.js';

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('ExecutionAdmission.request (the execute API and re-runs)', () => {
  it('writes a QUEUED row of the active version and hands it to the local worker when it has room', async () => {
    const { admission, seen } = setup({ ...hello, local: true });
    const row = await admission.request(ada, 'hello', undefined, { inputs: { count: 3 } });
    expect(seen.rows).toEqual([
      expect.objectContaining({ id: row.id, graph_id: 'hello', graph_version: 2, source: 'api', user_id: 'ada', inputs: { count: 3 }, trust: 'none' }),
    ]);
    expect(seen.local).toEqual([row.id]);
    expect(seen.dispatched).toEqual([]);
  });

  it("answers 404 for another user's API graph, for a missing one and for an inactive one run without a version", async () => {
    const { admission, seen } = setup({
      graphs: { mine: apiGraph('mine', 'ada'), off: apiGraph('off', 'ada', false) },
      compiled: { 'mine@1': HELLO, 'off@1': HELLO },
    });
    for (const [who, id] of [
      [bob, 'mine'],
      [ada, 'nothing'],
      [ada, 'off'],
    ] as const) {
      expect((await refusal(admission.request(who, id, undefined, { inputs: { count: 1 } }))).code).toBe('NOT_FOUND');
    }
    expect((await admission.request(root, 'mine', undefined, { inputs: { count: 1 } })).user_id).toBe('root');
    expect(seen.rows).toHaveLength(1);
  });

  it('answers 404 naming the version when the version is not stored', async () => {
    const { admission } = setup(hello);
    const error = await refusal(admission.request(root, 'hello', 7, { inputs: { count: 1 } }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('no version 7');
  });

  it("refuses (403) a user's hand-seeded trigger or inactive version of a file agent; an admin's run of the active version is file-trusted", async () => {
    const { admission, seen } = setup(hello);
    const seeded = await refusal(admission.request(ada, 'hello', undefined, { trigger: { node: 'hook', outputs: { body: {} } } }));
    expect([seeded.code, seeded.details?.pointer]).toEqual(['FORBIDDEN', '/trigger']);
    const old = await refusal(admission.request(ada, 'hello', 1, { inputs: { count: 1 } }));
    expect([old.code, old.details?.pointer]).toEqual(['FORBIDDEN', '/version']);
    await admission.request(root, 'hello', undefined, { inputs: { count: 1 } });
    await admission.request(root, 'hello', 1, { inputs: { count: 1 } });
    expect(seen.rows.map((row) => [row.graph_version, row.trust])).toEqual([
      [2, 'admitted'],
      [1, 'none'],
    ]);
  });

  it('a re-run of a file agent keeps the source and the execution it repeats; a seeded trigger stores the event, not inputs', async () => {
    const { admission, seen } = setup(hello);
    await admission.request(root, 'hello', 2, { trigger: { node: 'hook', outputs: { body: { a: 1 } } } }, 'rerun', 'e-1');
    expect(seen.rows[0]).toEqual(
      expect.objectContaining({ source: 'rerun', rerun_of: 'e-1', trigger_node: 'hook', trigger_event: { body: { a: 1 } }, inputs: {}, trust: 'admitted' }),
    );
  });

  it('lists every problem of the request at once (400) and writes nothing', async () => {
    const { admission, seen } = setup(hello);
    const error = await refusal(admission.request(root, 'hello', undefined, { inputs: { who: 5, extra: true } }));
    expect(error.code).toBe('VALIDATION_FAILED');
    const pointers = (error.details?.problems as Array<{ pointer: string }>).map((p) => p.pointer).sort();
    expect(pointers).toEqual(['/inputs/count', '/inputs/extra', '/inputs/who']);
    expect(seen.rows).toEqual([]);
  });

  it("merges the caller's preset under the request; another user's preset is as if it did not exist", async () => {
    const world = { ...hello, presets: { p1: { user_id: 'ada', inputs: { count: 2, who: 'Ada' }, credentials: { out: { token: 'x' } } } } };
    const { admission, seen } = setup(world);
    await admission.request(root, 'hello', undefined, { preset_id: 'p1', inputs: { who: 'Root' } });
    expect(seen.rows[0]).toEqual(expect.objectContaining({ inputs: { count: 2, who: 'Root' }, credentials: { out: { token: 'x' } }, preset_id: 'p1' }));
    const error = await refusal(admission.request(bob, 'hello', undefined, { preset_id: 'p1' }));
    expect(error.details?.problems).toEqual([expect.objectContaining({ pointer: '/preset_id' })]);
  });

  it('resolves credentials as the caller, file-trusting only the names the file gives', async () => {
    const world = { graphs: { keyed: fileGraph('keyed') }, compiled: { 'keyed@2': KEYED } };
    const { admission, seen } = setup(world);
    await admission.request(root, 'keyed', undefined, {});
    expect(seen.resolved[0]).toEqual(expect.objectContaining({ userId: 'root', names: { token: 'file-token' }, fileTrusted: ['token'] }));
    const error = await refusal(admission.request(ada, 'keyed', undefined, {}));
    expect(error.details?.problems).toEqual([expect.objectContaining({ pointer: '/credentials/call/token', node: 'call' })]);
    expect(seen.resolved[1]).toEqual(expect.objectContaining({ userId: 'ada', fileTrusted: [] }));
    await admission.request(ada, 'keyed', undefined, { credentials: { call: { token: 'mine' } } });
    expect(seen.rows.map((row) => row.user_id)).toEqual(['root', 'ada']);
  });

  it('refuses (402) a user whose balance is spent while credits are on; no account or credits off admits', async () => {
    const balances = { ada: 0, bob: 5 };
    const on = setup({ ...hello, credits: true, balances });
    expect((await refusal(on.admission.request(ada, 'hello', undefined, { inputs: { count: 1 } }))).code).toBe('INSUFFICIENT_CREDITS');
    await on.admission.request(bob, 'hello', undefined, { inputs: { count: 1 } });
    await on.admission.request(root, 'hello', undefined, { inputs: { count: 1 } });
    expect(on.seen.rows.map((row) => row.user_id)).toEqual(['bob', 'root']);
    const off = setup({ ...hello, credits: false, balances });
    await off.admission.request(ada, 'hello', undefined, { inputs: { count: 1 } });
    expect(off.seen.rows).toHaveLength(1);
  });

  it('an agent with `concurrency` keeps its FIFO through the queue, never the local worker', async () => {
    const { admission, seen } = setup({ graphs: { limited: fileGraph('limited') }, compiled: { 'limited@2': LIMITED }, local: true });
    const row = await admission.request(ada, 'limited', undefined, {});
    expect(seen.local).toEqual([]);
    expect(seen.dispatched).toEqual([row.id]);
  });

  it('a dispatch that fails after the write still answers the row (the sweep dispatches it), and says so', async () => {
    const { admission, seen } = setup({ ...hello, queueDown: true });
    const row = await admission.request(ada, 'hello', undefined, { inputs: { count: 1 } });
    expect(row.status).toBe('QUEUED');
    expect(seen.warned).toBe(1);
  });
});
