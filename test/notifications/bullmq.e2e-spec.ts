// With REDIS_URL set, deliveries go through the BullMQ queue `notifications` under the queue prefix, with
// the same retries and delivery log as the in-process queue.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { NotificationsService } from '../../src/notifications/notifications.service.js';
import { NOTIFICATION_QUEUE, type NotificationQueue } from '../../src/notifications/notification-queue.js';
import { ADMIN_KEY } from '../auth/auth-helpers.js';
import { startHttpPeer, type HttpPeer } from '../blocks/peers/http-peer.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { configFolder, settledDeliveries, type ConfigFolder } from './notify-helpers.js';

describe('notification deliveries on BullMQ', () => {
  let t: TestApp;
  let hook: HttpPeer;
  let folder: ConfigFolder;

  beforeAll(async () => {
    let calls = 0;
    hook = await startHttpPeer((_req, res) => {
      calls++;
      if (calls === 1) res.writeHead(500).end('boom');
      else res.writeHead(200).end('ok');
    });
    folder = configFolder(`ops-hook:\n  type: webhook\n  url: ${hook.url}/hook\n`);
    t = await createTestApp({ label: 'notify-bullmq', redis: true, env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY, TRELLIS_CONFIG_DIR: folder.dir } });
  });

  afterAll(async () => {
    await t?.close();
    await hook?.close();
    folder?.remove();
  });

  it('retries through Redis and logs 2 attempts, with no durable_jobs rows', async () => {
    expect(t.app.get<NotificationQueue>(NOTIFICATION_QUEUE).mode).toBe('bullmq');
    await t.app.get(NotificationsService).notifyChannels(['ops-hook'], { kind: 'SYSTEM', title: 'via redis', body: 'x' });
    const [row] = await settledDeliveries(t.dataSource, `channel_name = 'ops-hook'`, [], 1);
    expect(row).toMatchObject({ status: 'SENT', attempts: 2 });
    expect(hook.requests).toHaveLength(2);
    const jobs = (await t.dataSource.query(`SELECT count(*)::int AS n FROM durable_jobs WHERE queue = 'notifications'`)) as Array<{ n: number }>;
    expect(jobs[0]!.n).toBe(0);
  });
});
