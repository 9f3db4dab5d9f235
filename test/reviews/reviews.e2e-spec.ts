// human.review end to end, with three users (admin starts the executions; alice reviews; bob may not) and
// a local SMTP server that records the REVIEW_REQUESTED mails and their signed links: approve, reject,
// edit (valid and invalid), approve, the default on_timeout (reject), a second decision (409), a reviewer who may not decide (404), the link page
// (GET decides nothing, POST decides, reused and forged tokens refused), timeouts, and stop while waiting.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startSmtpPeer, type SmtpPeer } from '../blocks/peers/smtp-peer.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { metricValue, scrape } from '../helpers/metrics.js';
import { waitFor } from '../helpers/wait.js';
import { link, node, saveAgent } from '../executions/graphs.fixture.js';
import { configFolder, type ConfigFolder } from '../notifications/notify-helpers.js';
import { OUTSIDE_WAITS, type OutsideWaits } from '../../src/executions/outside-waits.types.js';

const ADMIN = 'test-admin-key-reviews-0123456789';
const PUBLIC_URL = 'https://trellis.example.test';

interface User {
  id: string;
  key: string;
}

describe('human.review', () => {
  let t: TestApp;
  let smtp: SmtpPeer;
  let folder: ConfigFolder;
  let alice: User;
  let bob: User;
  const api = () => request(t.http);

  async function user(handle: string): Promise<User> {
    const res = await api()
      .post('/api/admin/users')
      .set('X-API-Key', ADMIN)
      .send({ handle, email: `${handle}@example.com` });
    expect(res.status).toBe(201);
    return { id: res.body.user.id as string, key: res.body.api_key.key as string };
  }

  /** input text -> review -> outputs `approved` / `rejected` / `decision`. */
  async function reviewAgent(name: string, review: Record<string, unknown>): Promise<void> {
    await saveAgent(t.dataSource, {
      name,
      nodes: {
        text: node('input', { name: 'text', type: 'string' }),
        review: node('human.review', { title: `Post "${name}"?`, body: 'Check **this** <script>alert(1)</script> [site](javascript:alert(1))', ...review }),
        approved: node('output', { name: 'approved' }),
        rejected: node('output', { name: 'rejected' }),
        decision: node('output', { name: 'decision' }),
      },
      links: [
        link('text.value', 'review.data'),
        link('review.approved', 'approved.value'),
        link('review.rejected', 'rejected.value'),
        link('review.decision', 'decision.value'),
      ],
    });
  }

  async function start(agent: string, text: string): Promise<string> {
    const res = await api().post(`/api/graphs/${agent}/execute`).set('X-API-Key', ADMIN).send({ inputs: { text } });
    expect(res.status).toBe(202);
    return (res.body.id ?? res.body.execution_id) as string;
  }

  async function pendingReview(executionId: string): Promise<Record<string, unknown>> {
    const rows = await waitFor(
      () => t.dataSource.query(`SELECT id FROM reviews WHERE execution_id = $1`, [executionId]) as Promise<Array<{ id: string }>>,
      (r) => r.length > 0,
      { what: 'a review row', timeoutMs: 15_000 },
    ).catch(async (error: unknown) => {
      const nodes = await api().get(`/api/executions/${executionId}/nodes`).set('X-API-Key', ADMIN);
      const execution = await api().get(`/api/executions/${executionId}`).set('X-API-Key', ADMIN);
      throw new Error(`${String(error)}: ${JSON.stringify(execution.body)} ${JSON.stringify(nodes.body).slice(0, 1500)}`);
    });
    const res = await api().get(`/api/reviews/${rows[0]!.id}`).set('X-API-Key', alice.key);
    expect(res.status).toBe(200);
    return res.body as Record<string, unknown>;
  }

  async function finished(executionId: string): Promise<Record<string, unknown>> {
    return waitFor(
      async () => (await api().get(`/api/executions/${executionId}`).set('X-API-Key', ADMIN)).body as Record<string, unknown>,
      (e) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(e.status as string),
      { what: 'the execution to finish', timeoutMs: 20_000 },
    );
  }

  /** The link in the reviewer's mail (quoted-printable soft breaks and =3D undone). */
  function linkFor(reviewId: string, email: string): string {
    const decoded = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    const mail = smtp.received.find((m) => m.rcptTo.includes(email) && decoded(m.raw).includes(`/reviews/${reviewId}?token=`));
    const match = mail && new RegExp(`${PUBLIC_URL}/reviews/${reviewId}\\?token=([A-Za-z0-9_-]+)`).exec(decoded(mail.raw));
    if (!match) throw new Error(`no link for ${reviewId} in ${email}'s mail`);
    return `/reviews/${reviewId}?token=${match[1]}`;
  }

  beforeAll(async () => {
    smtp = await startSmtpPeer();
    folder = configFolder(
      '',
      'mail:\n  provider: smtp\n  type: smtp\n  env: {host: RV_SMTP_HOST, port: RV_SMTP_PORT, username: RV_SMTP_USER, password: RV_SMTP_PASS, from: RV_SMTP_FROM}\n',
    );
    t = await createTestApp({
      label: 'reviews',
      overrides: { notifications: { smtp: 'mail' }, server: { public_url: PUBLIC_URL } },
      env: {
        TRELLIS_ADMIN_API_KEY: ADMIN,
        TRELLIS_CONFIG_DIR: folder.dir,
        RV_SMTP_HOST: smtp.host,
        RV_SMTP_PORT: String(smtp.port),
        RV_SMTP_USER: 'mailer',
        RV_SMTP_PASS: 's3cret',
        RV_SMTP_FROM: 'Trellis <bot@example.com>',
      },
    });
    alice = await user('alice');
    bob = await user('bob');
    await reviewAgent('gate', { reviewers: { users: ['alice'] }, decisions: ['approve', 'reject', 'edit'], schema: { type: 'string', maxLength: 20 } });
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
    folder?.remove();
  });

  it('waits (WAITING, execution RUNNING), lets alice edit within the schema once, refuses bob, and resumes with the edited data', async () => {
    const id = await start('gate', 'draft');
    const review = await pendingReview(id);
    expect(review).toMatchObject({
      execution_id: id,
      node_id: 'review',
      graph_id: 'gate',
      status: 'pending',
      data: 'draft',
      decisions: ['approve', 'reject', 'edit'],
    });
    const waiting = await waitFor(
      () =>
        t.dataSource.query(`SELECT status, waiting_for FROM node_executions WHERE execution_id = $1 AND node_id = 'review'`, [id]) as Promise<
          Array<Record<string, unknown>>
        >,
      (rows) => rows[0]?.status === 'WAITING',
      { what: 'the review node WAITING' },
    );
    expect(waiting[0]!.waiting_for).toMatchObject({ kind: 'review', review_id: review.id });
    const detail = (await api().get(`/api/executions/${id}`).set('X-API-Key', ADMIN)).body;
    expect(detail.status).toBe('RUNNING');
    expect(detail.waiting).toEqual([{ node_id: 'review', reason: 'review', until: review.expires_at }]);

    // bob is not a reviewer and did not start it: the same 404 as an unknown review.
    expect((await api().get(`/api/reviews/${review.id}`).set('X-API-Key', bob.key)).status).toBe(404);
    expect((await api().post(`/api/reviews/${review.id}`).set('X-API-Key', bob.key).send({ decision: 'approve' })).status).toBe(404);
    expect(((await api().get('/api/reviews').set('X-API-Key', bob.key)).body.items as unknown[]).length).toBe(0);

    const invalid = await api()
      .post(`/api/reviews/${review.id}`)
      .set('X-API-Key', alice.key)
      .send({ decision: 'edit', data: 'far too long for the schema of this review' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toContain('schema');
    const edited = await api().post(`/api/reviews/${review.id}`).set('X-API-Key', alice.key).send({ decision: 'edit', data: 'final', comment: 'tightened' });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ status: 'approved', data: 'final', decision: { decision: 'edit', by: 'alice', comment: 'tightened' } });

    const again = await api().post(`/api/reviews/${review.id}`).set('X-API-Key', ADMIN).send({ decision: 'reject' });
    expect(again.status).toBe(409);
    expect(again.body.error.details.review).toMatchObject({ status: 'approved', decision: { by: 'alice' } });

    const done = await finished(id);
    expect(done).toMatchObject({
      status: 'COMPLETED',
      outputs: { approved: ['final'], rejected: [], decision: [{ decision: 'edit', by: 'alice', comment: 'tightened' }] },
    });
  });

  it('mails alice a signed link: GET shows the page and decides nothing, a forged token is 404, POST rejects once, a reused token is 404', async () => {
    const id = await start('gate', 'second <b>draft</b>');
    const review = await pendingReview(id);
    const path = await waitFor(
      () => {
        try {
          return linkFor(review.id as string, 'alice@example.com');
        } catch {
          return null;
        }
      },
      (p) => p !== null,
      { what: "alice's review mail", timeoutMs: 15_000 },
    );
    expect(smtp.received.some((m) => m.rcptTo.includes('bob@example.com') && m.raw.replace(/=\r?\n/g, '').includes(review.id as string))).toBe(false);
    // In-app notices carry no token.
    const inApp = await api().get('/api/notifications').set('X-API-Key', alice.key);
    expect(JSON.stringify(inApp.body)).toContain(review.id as string);
    expect(JSON.stringify(inApp.body)).not.toContain('token=');

    const page = await api().get(path!);
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
    expect(page.text).toContain('<strong>this</strong>');
    expect(page.text).not.toContain('<script>');
    expect(page.text).not.toContain('<b>draft');
    expect(page.text).not.toContain('href="javascript');
    expect(page.text).toContain('value="approve"');
    expect(((await pendingReview(id)) as { status: string }).status).toBe('pending');

    const forged = await api().get(`/reviews/${review.id}?token=${'A'.repeat(43)}`);
    expect(forged.status).toBe(404);
    expect(forged.headers['cache-control']).toBe('no-store');
    const forgedPost = await api()
      .post(`/reviews/${review.id}?token=${'A'.repeat(43)}`)
      .type('form')
      .send('decision=approve');
    expect(forgedPost.status).toBe(404);

    const decided = await api().post(path!).set('Cookie', 'session=whatever').type('form').send('decision=reject&comment=not+now');
    expect(decided.status).toBe(200);
    expect(decided.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect((await api().post(path!).type('form').send('decision=approve')).status).toBe(404);
    expect((await api().get(path!)).status).toBe(404);

    const done = await finished(id);
    expect(done).toMatchObject({ status: 'COMPLETED', outputs: { approved: [], rejected: [{ data: 'second <b>draft</b>', comment: 'not now' }] } });
  });

  it('times out with on_timeout approve (by: null) and with fail (REVIEW_TIMEOUT)', async () => {
    await reviewAgent('lenient', { reviewers: { users: ['alice'] }, timeout: '1s', on_timeout: 'approve' });
    await reviewAgent('strict', { reviewers: { users: ['alice'] }, timeout: '1s', on_timeout: 'fail' });
    const [lenient, strict] = await Promise.all([start('lenient', 'x'), start('strict', 'y')]);
    const a = await finished(lenient);
    expect(a).toMatchObject({ status: 'COMPLETED', outputs: { approved: ['x'], decision: [{ decision: 'approve', by: null }] } });
    const b = await finished(strict);
    expect(b.status).toBe('FAILED');
    expect(JSON.stringify(b.error)).toContain('REVIEW_TIMEOUT');
    const rows = (await t.dataSource.query(`SELECT status FROM reviews WHERE execution_id = ANY($1::uuid[])`, [[lenient, strict]])) as Array<{
      status: string;
    }>;
    expect(rows.map((r) => r.status)).toEqual(['timed_out', 'timed_out']);
  });

  it('approves through the API with a comment, and a review nobody decides is rejected by default (on_timeout reject)', async () => {
    const id = await start('gate', 'plain');
    const review = await pendingReview(id);
    const approved = await api().post(`/api/reviews/${review.id}`).set('X-API-Key', alice.key).send({ decision: 'approve', comment: 'ship it' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', data: 'plain', decision: { decision: 'approve', by: 'alice', comment: 'ship it' } });
    expect(await finished(id)).toMatchObject({
      status: 'COMPLETED',
      outputs: { approved: ['plain'], rejected: [], decision: [{ decision: 'approve', by: 'alice', comment: 'ship it' }] },
    });

    await reviewAgent('forgotten', { reviewers: { users: ['alice'] }, timeout: '1s' });
    const late = await start('forgotten', 'z');
    const done = await finished(late);
    expect(done).toMatchObject({ status: 'COMPLETED', outputs: { approved: [], rejected: [{ data: 'z', comment: null }], decision: [{ by: null }] } });
    const rows = (await t.dataSource.query(`SELECT status FROM reviews WHERE execution_id = $1`, [late])) as Array<{ status: string }>;
    expect(rows).toEqual([{ status: 'timed_out' }]);
  });

  it("cancels the pending reviews of executions that ended together in one call, and leaves other executions' reviews pending", async () => {
    const [first, second, other] = [await start('gate', 'one'), await start('gate', 'two'), await start('gate', 'three')];
    const reviews = [await pendingReview(first), await pendingReview(second), await pendingReview(other)];
    // The worker's port: the executions that end in one turn cancel their reviews in one statement.
    await t.app.get<OutsideWaits>(OUTSIDE_WAITS).executionsEnded([first, second]);
    const statuses = (await t.dataSource.query(`SELECT id, status FROM reviews WHERE id = ANY($1::uuid[])`, [reviews.map((r) => r.id)])) as Array<{
      id: string;
      status: string;
    }>;
    expect(new Map(statuses.map((r) => [r.id, r.status]))).toEqual(
      new Map([
        [reviews[0]!.id, 'cancelled'],
        [reviews[1]!.id, 'cancelled'],
        [reviews[2]!.id, 'pending'],
      ]),
    );
    const late = await api()
      .post(`/api/reviews/${String(reviews[0]!.id)}`)
      .set('X-API-Key', alice.key)
      .send({ decision: 'approve' });
    expect(late.status).toBe(409);
    const kept = await api()
      .post(`/api/reviews/${String(reviews[2]!.id)}`)
      .set('X-API-Key', alice.key)
      .send({ decision: 'approve' });
    expect(kept.status).toBe(200);
    expect(await finished(other)).toMatchObject({ status: 'COMPLETED', outputs: { approved: ['three'] } });
    for (const id of [first, second]) await api().post(`/api/graphs/gate/executions/${id}/stop`).set('X-API-Key', ADMIN);
  });

  it('cancels the pending review when the execution is stopped while waiting (and /metrics counts it pending until then)', async () => {
    const pending = async () => metricValue(await scrape(t), 'trellis_reviews_pending');
    const before = await pending();
    const id = await start('gate', 'stop me');
    const review = await pendingReview(id);
    expect(await pending()).toBe(before + 1);
    const stop = await api().post(`/api/graphs/gate/executions/${id}/stop`).set('X-API-Key', ADMIN);
    expect([200, 202]).toContain(stop.status);
    await finished(id);
    expect(await pending()).toBe(before);
    const after = await api().get(`/api/reviews/${review.id}`).set('X-API-Key', alice.key);
    expect(after.body.status).toBe('cancelled');
    const late = await api().post(`/api/reviews/${review.id}`).set('X-API-Key', alice.key).send({ decision: 'approve' });
    expect(late.status).toBe(409);
  });
});
