// The REVIEW_REQUESTED notice through a reviewer's own Slack and webhook channels (local HTTP servers that
// record what they receive): each carries the reviewer's one-time link (the same token on both), the webhook
// body is signed with the reviewer's secret, the in-app notice has no token, another user gets nothing, and
// the link from the Slack message decides once (GET decides nothing; after the POST the link is dead).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { webhookSignature } from '../../src/blocks/library/communication/webhook-signature.js';
import { startHttpPeer, type HttpPeer } from '../blocks/peers/http-peer.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { link, node, saveAgent } from '../executions/graphs.fixture.js';

const ADMIN = 'test-admin-key-review-channels-0123';
const PUBLIC_URL = 'https://trellis.example.test';
const CAROL_SECRET = 'carol-hook-secret-0123456789';

interface User {
  id: string;
  key: string;
}

describe('REVIEW_REQUESTED through Slack and webhook', () => {
  let t: TestApp;
  let slack: HttpPeer;
  let hook: HttpPeer;
  let carol: User;
  let dan: User;
  const api = () => request(t.http);

  async function user(handle: string): Promise<User> {
    const res = await api().post('/api/admin/users').set('X-API-Key', ADMIN).send({ handle });
    expect(res.status).toBe(201);
    return { id: res.body.user.id as string, key: res.body.api_key.key as string };
  }

  async function credential(owner: User, name: string, type: string, secrets: Record<string, string>): Promise<void> {
    const provider = name === 'notifications-slack' ? 'slack' : 'webhook';
    const res = await api().post('/api/integrations/credentials').set('X-API-Key', owner.key).send({ name, provider, type, secrets });
    expect(res.status).toBe(201);
  }

  async function channels(owner: User, preferences: Record<string, string[]>): Promise<void> {
    await api().put('/api/user').set('X-API-Key', owner.key).send({ notification_preferences: preferences }).expect(200);
  }

  beforeAll(async () => {
    slack = await startHttpPeer((_req, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
    hook = await startHttpPeer((_req, res) => void res.writeHead(204).end());
    t = await createTestApp({
      label: 'reviewchannels',
      // The reviewers' own targets are on 127.0.0.1: users' targets follow the outbound policy.
      overrides: { server: { public_url: PUBLIC_URL }, http: { allow_private_addresses: true } },
      env: { TRELLIS_ADMIN_API_KEY: ADMIN },
    });
    carol = await user('carol');
    dan = await user('dan');
    await channels(carol, { REVIEW_REQUESTED: ['in_app', 'slack', 'webhook'] });
    await credential(carol, 'notifications-slack', 'secret_url', { url: `${slack.url}/services/CAROL` });
    await credential(carol, 'notifications-webhook', 'secret_url', { url: `${hook.url}/carol` });
    await credential(carol, 'notifications-webhook-secret', 'webhook_secret', { secret: CAROL_SECRET });
    // dan has the same channels but is no reviewer: nothing may reach him.
    await channels(dan, { REVIEW_REQUESTED: ['in_app', 'slack', 'webhook'] });
    await credential(dan, 'notifications-slack', 'secret_url', { url: `${slack.url}/services/DAN` });
    await credential(dan, 'notifications-webhook', 'secret_url', { url: `${hook.url}/dan` });
    await saveAgent(t.dataSource, {
      name: 'publish',
      nodes: {
        text: node('input', { name: 'text', type: 'string' }),
        review: node('human.review', { title: 'Publish the post?', body: 'Read it first.', reviewers: { users: ['carol'] } }),
        approved: node('output', { name: 'approved' }),
      },
      links: [link('text.value', 'review.data'), link('review.approved', 'approved.value')],
    });
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all([slack?.close(), hook?.close()]);
  });

  it("sends carol's Slack and webhook the same one-time link (webhook signed), nothing to dan, and the link decides once", async () => {
    const started = await api()
      .post('/api/graphs/publish/execute')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: 'hello world' } });
    expect(started.status).toBe(202);
    const id = started.body.id as string;
    const [review] = await waitFor(
      () => t.dataSource.query(`SELECT id FROM reviews WHERE execution_id = $1`, [id]) as Promise<Array<{ id: string }>>,
      (rows) => rows.length > 0,
      { what: 'the review row', timeoutMs: 15_000 },
    );
    const reviewId = review!.id;
    await waitFor(
      () => [slack.requests.length, hook.requests.length],
      ([s, h]) => s! >= 1 && h! >= 1,
      { what: "carol's Slack message and webhook call", timeoutMs: 15_000 },
    );
    const linkPattern = new RegExp(`${PUBLIC_URL}/reviews/${reviewId}\\?token=([A-Za-z0-9_-]{43})`);

    expect(slack.requests.map((r) => r.url)).toEqual(['/services/CAROL']);
    const slackText = (slack.requests[0]!.json as { text: string }).text;
    expect(slackText).toContain('*Review requested: Publish the post?*');
    const slackToken = linkPattern.exec(slackText)?.[1];
    expect(slackToken).toBeDefined();

    expect(hook.requests.map((r) => r.url)).toEqual(['/carol']);
    const sent = hook.requests[0]!;
    const payload = sent.json as { kind?: string; title: string; body: string; data: Record<string, unknown> };
    expect(payload.title).toBe('Review requested: Publish the post?');
    expect(payload.data).toMatchObject({ review_id: reviewId, execution_id: id, graph_id: 'publish', node_id: 'review' });
    expect(payload.data.url).toBe(`${PUBLIC_URL}/reviews/${reviewId}?token=${slackToken}`);
    expect(payload.body).toContain(payload.data.url as string);
    const timestamp = Number(sent.headers['x-trellis-timestamp']);
    expect(sent.headers['x-trellis-signature-256']).toBe(webhookSignature(CAROL_SECRET, timestamp, sent.body));

    // In-app notices carry no token; dan gets nothing anywhere.
    const inApp = await api().get('/api/notifications').set('X-API-Key', carol.key);
    expect(JSON.stringify(inApp.body)).toContain(reviewId);
    expect(JSON.stringify(inApp.body)).not.toContain('token=');
    expect((await api().get('/api/notifications').set('X-API-Key', dan.key)).body.items).toEqual([]);

    const path = `/reviews/${reviewId}?token=${slackToken}`;
    const page = await api().get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Publish the post?');
    expect((await api().get(`/api/reviews/${reviewId}`).set('X-API-Key', carol.key)).body.status).toBe('pending');
    const decided = await api().post(path).type('form').send('decision=approve&comment=ship+it');
    expect(decided.status).toBe(200);
    const after = (await api().get(`/api/reviews/${reviewId}`).set('X-API-Key', carol.key)).body as { status: string; decision: Record<string, unknown> };
    expect(after.status).toBe('approved');
    expect(after.decision).toMatchObject({ decision: 'approve', comment: 'ship it' });
    expect(JSON.stringify(after.decision)).toContain('carol');
    // The one-time link is dead: the same token again (GET or POST) answers 404.
    expect((await api().get(path)).status).toBe(404);
    expect((await api().post(path).type('form').send('decision=reject')).status).toBe(404);

    const done = await waitFor(
      async () => (await api().get(`/api/executions/${id}`).set('X-API-Key', ADMIN)).body as { status: string; outputs: Record<string, unknown[]> },
      (e) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(e.status),
      { what: 'the execution to finish', timeoutMs: 20_000 },
    );
    expect(done).toMatchObject({ status: 'COMPLETED', outputs: { approved: ['hello world'] } });
    expect(slack.requests.map((r) => r.url)).toEqual(['/services/CAROL']);
    expect(hook.requests.map((r) => r.url)).toEqual(['/carol']);
  });
});
