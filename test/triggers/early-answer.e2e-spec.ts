// Answering early (release-2.md section 3): a trigger.webhook with `respond: by_output` answers the caller
// with the first value of the http_response output while the execution goes on (a 1.5 s delay after it);
// the test measures when the answer came and when the execution ended. Without an http_response value the
// request is answered as ?wait= does, at the execution's end or when the wait passes. An Idempotency-Key
// resend replays the early answer's status, headers and body.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { createAgent, finished, triggersApp } from './webhooks-helpers.js';

interface Timed {
  status: string;
  ended_at: Date | null;
}

describe('trigger.webhook respond: by_output', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await triggersApp('earlyanswer');
    // hook -> shape -> http_response (at once); hook -> delay 1.5s -> late (the execution goes on).
    await createAgent(t, {
      name: 'early',
      nodes: {
        hook: { block: 'trigger.webhook', inputs: { respond: 'by_output' } },
        shape: {
          block: 'json.query',
          inputs: { expression: '{"status": 201, "headers": {"X-Early": "yes"}, "body": {"accepted": name}}' },
        },
        reply: { block: 'output', inputs: { name: 'http_response' } },
        delay: { block: 'time.delay', inputs: { duration: '1500ms' } },
        late: { block: 'output', inputs: { name: 'late' } },
      },
      links: ['hook.body -> shape.data', 'shape.result -> reply.value', 'hook.body -> delay.value', 'delay.value -> late.value'],
    });
    // No http_response output at all: answered as ?wait= does.
    await createAgent(t, {
      name: 'plain',
      nodes: {
        hook: { block: 'trigger.webhook', inputs: { respond: 'by_output' } },
        delay: { block: 'time.delay', inputs: { duration: '1s' } },
        done: { block: 'output', inputs: { name: 'done' } },
      },
      links: ['hook.body -> delay.value', 'delay.value -> done.value'],
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  async function row(id: string): Promise<Timed> {
    return ((await t.dataSource.query(`SELECT status, ended_at FROM executions WHERE id = $1`, [id])) as Timed[])[0]!;
  }

  it('answers with the first http_response value before the execution ends, which then goes on to complete', async () => {
    const sent = Date.now();
    const res = await request(t.http).post('/webhooks/early/hook').send({ name: 'ada' });
    const answeredAt = Date.now();
    expect(res.status).toBe(201);
    expect(res.headers['x-early']).toBe('yes');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toEqual({ accepted: 'ada' });

    const [started] = (await t.dataSource.query(`SELECT id FROM executions WHERE graph_id = 'early' ORDER BY created_at DESC LIMIT 1`)) as Array<{
      id: string;
    }>;
    const id = started!.id;
    // Measured at the answer: the execution was still running (its 1.5 s delay had not passed).
    expect((await row(id)).status).toBe('RUNNING');
    const done = await waitFor(
      () => row(id),
      (r) => r.status === 'COMPLETED',
      { what: 'the execution to complete after the early answer', timeoutMs: 20_000 },
    );
    const endedAt = done.ended_at!.getTime();
    expect(answeredAt).toBeLessThan(endedAt);
    expect(answeredAt - sent).toBeLessThan(endedAt - sent);
    const outputs = ((await t.dataSource.query(`SELECT outputs FROM executions WHERE id = $1`, [id])) as Array<{ outputs: Record<string, unknown[]> }>)[0]!
      .outputs;
    expect(outputs.late).toEqual([{ name: 'ada' }]);
    expect(outputs.http_response).toHaveLength(1);
  });

  it('replays an early answer to a resend with the same Idempotency-Key: same status, headers and body, no new execution', async () => {
    const first = await request(t.http).post('/webhooks/early/hook').set('Idempotency-Key', 'early-1').send({ name: 'grace' });
    expect(first.status).toBe(201);
    const again = await request(t.http).post('/webhooks/early/hook').set('Idempotency-Key', 'early-1').send({ name: 'grace' });
    expect(again.status).toBe(201);
    expect(again.body).toEqual({ accepted: 'grace' });
    expect(again.headers['x-early']).toBe('yes');
    expect(again.headers['x-content-type-options']).toBe('nosniff');
    expect(again.headers['content-security-policy']).toBe(first.headers['content-security-policy']);
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const rows = (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM executions WHERE graph_id = 'early' AND trigger_event->'body'->>'name' = 'grace'`,
    )) as Array<{
      n: number;
    }>;
    expect(rows[0]!.n).toBe(1);
    // The same key with another body is still a conflict.
    expect((await request(t.http).post('/webhooks/early/hook').set('Idempotency-Key', 'early-1').send({ name: 'other' })).status).toBe(409);
  });

  it('answers as ?wait= does when the execution ends without an http_response value', async () => {
    const res = await request(t.http).post('/webhooks/plain/hook').send({ n: 1 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ execution_id: expect.any(String), status: 'COMPLETED', outputs: { done: [{ n: 1 }] }, error: null });
  });

  it('answers 202 {execution_id, status} when the wait passes first (?wait= bounds it)', async () => {
    const res = await request(t.http).post('/webhooks/plain/hook?wait=200ms').send({ n: 2 });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ execution_id: expect.any(String), status: expect.stringMatching(/^(QUEUED|RUNNING)$/) });
    expect((await finished(t, res.body.execution_id as string)).status).toBe('COMPLETED');
  });
});
