// A user's own notification targets (credentials `notifications-webhook` / `notifications-slack`) go through
// the outbound policy of blocks (release-2.md section 1): with the default policy, a target on 127.0.0.1
// or [::ffff:127.0.0.1] receives nothing and the delivery fails with a reason a person can act on; with
// http.allow_private_addresses on, exactly as for http.request, it is delivered.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { NotificationsService } from '../../src/notifications/notifications.service.js';
import { ADMIN_KEY, makeUser } from '../auth/auth-helpers.js';
import { createTestApp } from '../helpers/app.js';
import { newKey } from '../integrations/integrations-app.js';
import { settledDeliveries } from '../notifications/notify-helpers.js';

describe("users' own notification targets and the outbound policy", () => {
  let recorder: Server;
  let port: number;
  const received: string[] = [];

  beforeAll(async () => {
    // Listens on every address (IPv4 and IPv6), so a target that got past the policy would arrive here.
    recorder = createServer((req, res) => {
      received.push(`${req.method} ${req.url}`);
      req.resume();
      res.writeHead(200).end('ok');
    });
    await new Promise<void>((resolve) => recorder.listen(0, '::', resolve));
    port = (recorder.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => recorder?.close(resolve));
  });

  /** An app, and users whose SYSTEM notices go to their own webhook / Slack target at `host`. */
  async function world(label: string, overrides: Record<string, unknown>) {
    const t = await createTestApp({ label, overrides, env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY, TRELLIS_ENCRYPTION_KEY: newKey() } });
    const targets = [
      { handle: 'v4hook', channel: 'webhook', name: 'notifications-webhook', provider: 'webhook', url: `http://127.0.0.1:${port}/${label}/v4hook` },
      { handle: 'v6slack', channel: 'slack', name: 'notifications-slack', provider: 'slack', url: `http://[::ffff:127.0.0.1]:${port}/${label}/v6slack` },
      { handle: 'v6hook', channel: 'webhook', name: 'notifications-webhook', provider: 'webhook', url: `http://[::ffff:7f00:1]:${port}/${label}/v6hook` },
    ];
    const ids: string[] = [];
    for (const target of targets) {
      const user = await makeUser(t, target.handle);
      ids.push(user.user.id);
      await request(t.http)
        .put('/api/user')
        .set('X-API-Key', user.key)
        .send({ notification_preferences: { SYSTEM: [target.channel] } })
        .expect(200);
      await request(t.http)
        .post('/api/integrations/credentials')
        .set('X-API-Key', user.key)
        .send({ name: target.name, provider: target.provider, type: 'secret_url', secrets: { url: target.url } })
        .expect(201);
    }
    return { t, ids };
  }

  it('with the default policy nothing arrives, and each delivery fails at once naming the address and the setting', async () => {
    const { t, ids } = await world('notifydeny', {});
    try {
      expect(t.config.http.allow_private_addresses).toBe(false);
      await t.app.get(NotificationsService).broadcast('Private target', 'should not arrive');
      const rows = await settledDeliveries(t.dataSource, `user_id = ANY($1) AND channel_type <> 'in_app'`, [ids], 3);
      expect(rows).toHaveLength(3);
      for (const row of rows) {
        expect(row).toMatchObject({ status: 'FAILED', attempts: 1 });
        expect(row.last_error).toMatch(/loopback/);
        expect(row.last_error).toContain('http.allow_private_addresses');
        // The target's path (the secret part of a Slack URL) is not shown.
        expect(row.last_error).not.toMatch(/notifydeny/);
      }
      expect(received.filter((line) => line.includes('/notifydeny/'))).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('with http.allow_private_addresses on, the same targets are delivered', async () => {
    const { t, ids } = await world('notifyallow', { http: { allow_private_addresses: true } });
    try {
      await t.app.get(NotificationsService).broadcast('Private target', 'allowed here');
      const rows = await settledDeliveries(t.dataSource, `user_id = ANY($1) AND channel_type <> 'in_app'`, [ids], 3);
      expect(rows.map((row) => row.status)).toEqual(['SENT', 'SENT', 'SENT']);
      expect(received.filter((line) => line.includes('/notifyallow/')).sort()).toEqual([
        'POST /notifyallow/v4hook',
        'POST /notifyallow/v6hook',
        'POST /notifyallow/v6slack',
      ]);
    } finally {
      await t.close();
    }
  });
});
