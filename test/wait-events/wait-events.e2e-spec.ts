// wait.event end to end: an event after the wait starts, one before it (buffered), two events for one key
// (the earliest waiter takes the first, the second is kept for the next), Idempotency-Key, who may post
// (401 without a key; another user's key reaches only that user's executions), and on_timeout continue.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { metricValue, scrape } from '../helpers/metrics.js';
import { waitFor } from '../helpers/wait.js';
import { link, node, saveAgent } from '../executions/graphs.fixture.js';

const ADMIN = 'test-admin-key-wait-events-0123456789';

describe('wait.event', () => {
  let t: TestApp;
  let bob: { id: string; key: string };
  const api = () => request(t.http);

  async function start(agent: string, inputs: Record<string, unknown>, key = ADMIN): Promise<string> {
    const res = await api().post(`/api/graphs/${agent}/execute`).set('X-API-Key', key).send({ inputs });
    expect(res.status).toBe(202);
    return res.body.id as string;
  }

  async function waiting(executionId: string): Promise<void> {
    await waitFor(
      () =>
        t.dataSource.query(`SELECT status FROM node_executions WHERE execution_id = $1 AND node_id = 'wait'`, [executionId]) as Promise<
          Array<{ status: string }>
        >,
      (rows) => rows[0]?.status === 'WAITING',
      { what: 'the wait.event node WAITING', timeoutMs: 15_000 },
    );
  }

  async function finished(executionId: string): Promise<{ status: string; outputs: Record<string, unknown[]>; error: unknown }> {
    return waitFor(
      async () =>
        (await api().get(`/api/executions/${executionId}`).set('X-API-Key', ADMIN)).body as {
          status: string;
          outputs: Record<string, unknown[]>;
          error: unknown;
        },
      (e) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(e.status),
      { what: 'the execution to finish', timeoutMs: 20_000 },
    );
  }

  const post = (key: string, body: unknown, apiKey: string | null = ADMIN, agent = 'listener') => {
    const req = api().post(`/webhooks/${agent}/wait/events/${key}`).set('Content-Type', 'application/json');
    return apiKey ? req.set('X-API-Key', apiKey).send(JSON.stringify(body)) : req.send(JSON.stringify(body));
  };

  beforeAll(async () => {
    t = await createTestApp({ label: 'waitevents', env: { TRELLIS_ADMIN_API_KEY: ADMIN } });
    const res = await api().post('/api/admin/users').set('X-API-Key', ADMIN).send({ handle: 'bob' });
    bob = { id: res.body.user.id as string, key: res.body.api_key.key as string };
    // pause -> wait on `key` -> event out; `pause` lets a test start the execution before its wait does.
    await saveAgent(t.dataSource, {
      name: 'listener',
      nodes: {
        key: node('input', { name: 'key', type: 'string' }),
        pause: node('input', { name: 'pause', type: 'string' }),
        delay: node('time.delay'),
        wait: node('wait.event', { timeout: '20s' }),
        event: node('output', { name: 'event' }),
      },
      links: [link('pause.value', 'delay.duration'), link('key.value', 'delay.value'), link('delay.value', 'wait.key'), link('wait.event', 'event.value')],
    });
    await saveAgent(t.dataSource, {
      name: 'impatient',
      nodes: {
        wait: node('wait.event', { key: 'never', timeout: '1s', on_timeout: 'continue' }),
        event: node('output', { name: 'event' }),
        headers: node('output', { name: 'headers' }),
      },
      links: [link('wait.event', 'event.value'), link('wait.headers', 'headers.value')],
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('delivers an event posted after the wait started, answering 202 {}', async () => {
    const id = await start('listener', { key: 'k-after', pause: '1ms' });
    await waiting(id);
    const res = await post('k-after', { n: 1 });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({});
    expect(await finished(id)).toMatchObject({ status: 'COMPLETED', outputs: { event: [{ n: 1 }] } });
  });

  it('keeps an event that came before the wait, and gives the second of two events to the next waiter', async () => {
    const first = await start('listener', { key: 'k-two', pause: '1ms' });
    await waiting(first);
    const second = await start('listener', { key: 'k-two', pause: '1500ms' });
    expect((await post('k-two', { n: 'one' })).status).toBe(202);
    expect((await post('k-two', { n: 'two' })).status).toBe(202);
    expect(await finished(first)).toMatchObject({ status: 'COMPLETED', outputs: { event: [{ n: 'one' }] } });
    expect(await finished(second)).toMatchObject({ status: 'COMPLETED', outputs: { event: [{ n: 'two' }] } });
    const rows = (await t.dataSource.query(`SELECT consumed_by FROM wait_events WHERE key = 'k-two'`)) as Array<{ consumed_by: string | null }>;
    expect(rows.filter((r) => r.consumed_by !== null)).toHaveLength(2);
  });

  it('treats a resend with the same Idempotency-Key as a no-op', async () => {
    const a = await api().post('/webhooks/listener/wait/events/k-idem').set('X-API-Key', ADMIN).set('Idempotency-Key', 'abc').send({ n: 1 });
    const b = await api().post('/webhooks/listener/wait/events/k-idem').set('X-API-Key', ADMIN).set('Idempotency-Key', 'abc').send({ n: 1 });
    expect([a.status, b.status]).toEqual([202, 202]);
    const rows = (await t.dataSource.query(`SELECT count(*)::int AS n FROM wait_events WHERE key = 'k-idem'`)) as Array<{ n: number }>;
    expect(rows[0]!.n).toBe(1);
  });

  it("refuses an event without a key (401), and bob's event never reaches the admin's execution", async () => {
    expect((await post('k-auth', { n: 0 }, null)).status).toBe(401);
    const id = await start('listener', { key: 'k-auth', pause: '1ms' });
    await waiting(id);
    expect((await post('k-auth', { from: 'bob' }, bob.key)).status).toBe(202);
    const rows = (await t.dataSource.query(`SELECT consumed_by FROM wait_events WHERE key = 'k-auth'`)) as Array<{ consumed_by: string | null }>;
    expect(rows).toEqual([{ consumed_by: null }]);
    expect((await post('k-auth', { from: 'admin' })).status).toBe(202);
    expect(await finished(id)).toMatchObject({ status: 'COMPLETED', outputs: { event: [{ from: 'admin' }] } });
  });

  it('answers 404 for an agent without that wait.event node, and continues with event null on timeout', async () => {
    expect((await post('k', {}, ADMIN, 'nosuch')).status).toBe(404);
    const id = await start('impatient', {});
    expect(await finished(id)).toMatchObject({ status: 'COMPLETED', outputs: { event: [null], headers: [{}] } });
  });

  it('counts events by outcome in /metrics: accepted, buffered, duplicate, refused', async () => {
    const count = async () => {
      const text = await scrape(t);
      return Object.fromEntries(
        ['accepted', 'buffered', 'duplicate', 'refused'].map((outcome) => [outcome, metricValue(text, 'trellis_wait_events_total', { outcome })]),
      );
    };
    const before = await count();
    const id = await start('listener', { key: 'k-metrics-a', pause: '1ms' });
    await waiting(id);
    expect((await post('k-metrics-a', { n: 1 })).status).toBe(202);
    expect(await finished(id)).toMatchObject({ status: 'COMPLETED' });
    const kept = () => api().post('/webhooks/listener/wait/events/k-metrics-b').set('X-API-Key', ADMIN).set('Idempotency-Key', 'm1').send({ n: 2 });
    expect((await kept()).status).toBe(202);
    expect((await kept()).status).toBe(202);
    expect((await post('k-metrics-c', {}, null)).status).toBe(401);
    expect((await post('k', {}, ADMIN, 'nosuch')).status).toBe(404);
    const after = await count();
    expect({
      accepted: after.accepted! - before.accepted!,
      buffered: after.buffered! - before.buffered!,
      duplicate: after.duplicate! - before.duplicate!,
      refused: after.refused! - before.refused!,
    }).toEqual({ accepted: 1, buffered: 1, duplicate: 1, refused: 2 });
    // No event keys as labels.
    expect(await scrape(t)).not.toContain('k-metrics');
  });
});
