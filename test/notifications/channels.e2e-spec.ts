// Each channel really delivered (email to a local SMTP server, Slack and webhook to local HTTP servers),
// retried after a failure with the attempts in the delivery log, and preferences honoured.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { webhookSignature } from '../../src/blocks/library/communication/webhook-signature.js';
import { NotificationsService } from '../../src/notifications/notifications.service.js';
import { ADMIN_KEY, makeUser } from '../auth/auth-helpers.js';
import { startHttpPeer, type HttpPeer } from '../blocks/peers/http-peer.js';
import { startSmtpPeer, type SmtpPeer } from '../blocks/peers/smtp-peer.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { configFolder, deliveries, HOOK_SECRET, settledDeliveries, type ConfigFolder } from './notify-helpers.js';

describe('notification channels', () => {
  let t: TestApp;
  let smtp: SmtpPeer;
  let slack: HttpPeer;
  let hook: HttpPeer;
  let folder: ConfigFolder;
  let service: NotificationsService;

  beforeAll(async () => {
    smtp = await startSmtpPeer();
    slack = await startHttpPeer((_req, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
    hook = await startHttpPeer((_req, res) => void res.writeHead(204).end());
    folder = configFolder(
      [
        'ops-mail:\n  type: email\n  to: [ops@example.com, oncall@example.com]',
        `ops-slack:\n  type: slack\n  url: ${slack.url}/services/T000/B000/XXXX`,
        `ops-hook:\n  type: webhook\n  url: ${hook.url}/trellis\n  credential: hook-secret`,
        'bad-slack:\n  type: slack\n  credential: missing-slack',
      ].join('\n') + '\n',
      [
        'mail:\n  provider: smtp\n  type: smtp\n  env: {host: NOTIFY_SMTP_HOST, port: NOTIFY_SMTP_PORT, username: NOTIFY_SMTP_USER, password: NOTIFY_SMTP_PASS, from: NOTIFY_SMTP_FROM}',
        'hook-secret:\n  provider: webhook\n  type: webhook_secret\n  env: {secret: NOTIFY_HOOK_SECRET}',
      ].join('\n') + '\n',
    );
    t = await createTestApp({
      label: 'notify-channels',
      // A user's own Slack target below is on 127.0.0.1: users' targets follow the outbound policy.
      overrides: { notifications: { smtp: 'mail' }, http: { allow_private_addresses: true } },
      env: {
        TRELLIS_ADMIN_API_KEY: ADMIN_KEY,
        TRELLIS_CONFIG_DIR: folder.dir,
        NOTIFY_SMTP_HOST: smtp.host,
        NOTIFY_SMTP_PORT: String(smtp.port),
        NOTIFY_SMTP_USER: 'mailer',
        NOTIFY_SMTP_PASS: 's3cret',
        NOTIFY_SMTP_FROM: 'Trellis <bot@example.com>',
        NOTIFY_HOOK_SECRET: HOOK_SECRET,
      },
    });
    service = t.app.get(NotificationsService);
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all([smtp?.close(), slack?.close(), hook?.close()]);
    folder?.remove();
  });

  it('emails a SYSTEM notice to each user with an email (SMTP configured: in_app + email by default), and logs a user without one as FAILED', async () => {
    const ada = await makeUser(t, 'ada', { email: 'ada@example.com' });
    const res = await request(t.http)
      .post('/api/admin/notifications')
      .set('X-API-Key', ADMIN_KEY)
      .send({ title: 'Maintenance tonight', body: 'Back at 22:05 UTC.' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ kind: 'SYSTEM', recipients: 2 });

    const rows = await settledDeliveries(t.dataSource, `kind = 'SYSTEM' AND channel_type = 'email'`, [], 2);
    const adaRow = rows.find((row) => row.user_id === ada.user.id)!;
    expect(adaRow).toMatchObject({ status: 'SENT', attempts: 1, target: 'ada@example.com', last_error: null });
    const adminRow = rows.find((row) => row.user_id !== ada.user.id)!;
    expect(adminRow.status).toBe('FAILED');
    expect(adminRow.attempts).toBe(1);
    expect(adminRow.last_error).toMatch(/No email address.*PUT \/api\/user/);

    const mail = smtp.received.find((m) => m.rcptTo.includes('ada@example.com'))!;
    expect(mail.mailFrom).toBe('bot@example.com');
    expect(mail.headers.subject).toBe('Maintenance tonight');
    expect(mail.raw).toContain('Back at 22:05 UTC.');

    const list = await request(t.http).get('/api/notifications').set('X-API-Key', ada.key);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ kind: 'SYSTEM', title: 'Maintenance tonight', read: false });
  });

  it('delivers to named channels: email to its list, a Slack message, and a webhook signed like Trellis webhooks', async () => {
    await service.notifyChannels(['ops-mail', 'ops-slack', 'ops-hook'], {
      kind: 'EXECUTION_FAILED',
      title: 'digest failed',
      body: 'Execution e1 failed.',
      data: { graph_id: 'digest' },
    });
    const rows = await settledDeliveries(t.dataSource, `channel_name IN ('ops-mail', 'ops-slack', 'ops-hook')`, [], 3);
    expect(rows.map((row) => [row.channel_name, row.status, row.attempts, row.user_id]).sort()).toEqual([
      ['ops-hook', 'SENT', 1, null],
      ['ops-mail', 'SENT', 1, null],
      ['ops-slack', 'SENT', 1, null],
    ]);

    const mail = smtp.received.find((m) => m.headers.subject === 'digest failed')!;
    expect(mail.rcptTo.sort()).toEqual(['oncall@example.com', 'ops@example.com']);

    expect(slack.requests).toHaveLength(1);
    expect(slack.requests[0]!.url).toBe('/services/T000/B000/XXXX');
    expect(slack.requests[0]!.json).toEqual({ text: '*digest failed*\nExecution e1 failed.' });

    const sent = hook.requests[0]!;
    expect(sent.headers['content-type']).toBe('application/json');
    const timestamp = Number(sent.headers['x-trellis-timestamp']);
    expect(sent.headers['x-trellis-signature-256']).toBe(webhookSignature(HOOK_SECRET, timestamp, sent.body));
    expect(sent.headers['x-trellis-signature-256']).not.toBe(webhookSignature('another-secret', timestamp, sent.body));
    expect(sent.json).toMatchObject({ kind: 'EXECUTION_FAILED', title: 'digest failed', body: 'Execution e1 failed.', data: { graph_id: 'digest' } });
  });

  it('retries a failed delivery with backoff: the server fails first, then accepts, and the log shows 2 attempts', async () => {
    let calls = 0;
    hook.handle((_req, res) => {
      calls++;
      if (calls === 1) res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
      else res.writeHead(200).end('ok');
    });
    const before = hook.requests.length;
    await service.notifyChannels(['ops-hook'], { kind: 'SYSTEM', title: 'retry me', body: 'x' });
    const failedOnce = await waitFor(
      () => deliveries(t.dataSource, `payload->>'title' = 'retry me'`),
      (rows) => rows[0]?.attempts === 1 && rows[0].last_error !== null,
      { what: 'the first failed attempt' },
    );
    expect(failedOnce[0]!.status).toBe('PENDING');
    expect(failedOnce[0]!.last_error).toMatch(/answered 503: busy/);
    const [row] = await settledDeliveries(t.dataSource, `payload->>'title' = 'retry me'`, [], 1);
    expect(row).toMatchObject({ status: 'SENT', attempts: 2 });
    expect(hook.requests.length - before).toBe(2);
    // Both attempts carry the same idempotency key, so a receiver can drop a repeat.
    expect(hook.requests[before]!.headers['idempotency-key']).toBe(hook.requests[before + 1]!.headers['idempotency-key']);
  });

  it('gives up at once on what no retry can fix: a 4xx answer, an unresolved credential, an unknown channel', async () => {
    slack.handle((_req, res) => void res.writeHead(404, { 'content-type': 'text/plain' }).end('no_service'));
    await service.notifyChannels(['ops-slack', 'bad-slack', 'no-such-channel'], { kind: 'SYSTEM', title: 'give up', body: 'x' });
    const rows = await settledDeliveries(t.dataSource, `payload->>'title' = 'give up'`, [], 2);
    expect(rows).toHaveLength(2);
    const bySlack = rows.find((row) => row.channel_name === 'ops-slack')!;
    expect(bySlack).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(bySlack.last_error).toMatch(/answered 404: no_service/);
    const bad = rows.find((row) => row.channel_name === 'bad-slack')!;
    expect(bad).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(bad.last_error).toMatch(/missing-slack/);
    expect(bad.last_error).toMatch(/config\/credentials\.yaml/);
  });

  it("honours preferences: a kind turned off is not delivered, a user's own Slack channel is", async () => {
    slack.handle((_req, res) => void res.writeHead(200).end('ok'));
    const bo = await makeUser(t, 'bo', { email: 'bo@example.com' });
    const cy = await makeUser(t, 'cy', { email: 'cy@example.com' });
    const off = await request(t.http)
      .put('/api/user')
      .set('X-API-Key', bo.key)
      .send({ notification_preferences: { SYSTEM: [] } });
    expect(off.status).toBe(200);
    await request(t.http)
      .put('/api/user')
      .set('X-API-Key', cy.key)
      .send({ notification_preferences: { SYSTEM: ['slack'] } })
      .expect(200);
    const created = await request(t.http)
      .post('/api/integrations/credentials')
      .set('X-API-Key', cy.key)
      .send({ name: 'notifications-slack', provider: 'slack', type: 'secret_url', secrets: { url: `${slack.url}/services/CY` } });
    expect(created.status).toBe(201);

    const before = slack.requests.length;
    await service.broadcast('Prefs check', 'Only some get this.');
    const rows = await settledDeliveries(t.dataSource, `payload->>'title' = 'Prefs check' AND user_id = ANY($1)`, [[bo.user.id, cy.user.id]], 1);
    expect(rows.map((row) => [row.user_id, row.channel_type, row.status])).toEqual([[cy.user.id, 'slack', 'SENT']]);
    expect(slack.requests.slice(before).map((r) => r.url)).toEqual(['/services/CY']);
    expect(smtp.received.filter((m) => m.headers.subject === 'Prefs check').flatMap((m) => m.rcptTo)).not.toContain('bo@example.com');
    const boList = await request(t.http).get('/api/notifications').set('X-API-Key', bo.key);
    expect(boList.body.items).toEqual([]);
    const cyList = await request(t.http).get('/api/notifications').set('X-API-Key', cy.key);
    expect(cyList.body.items).toEqual([]);
  });
});
