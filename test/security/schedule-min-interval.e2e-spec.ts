// schedules.min_interval (release-2.md section 1 and 7): an ordinary user's ad-hoc schedule whose fires come
// closer than the minimum is a 400 at creation and at resume (admins: any); a release-1 one is paused at
// start-up with `paused_reason`, logged once, and left alone when slow enough or an admin's.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { generateApiKey } from '../../src/auth/api-key.format.js';
import { TriggerPolicyOnStart } from '../../src/triggers/trigger-policy.startup.js';
import { ADMIN_KEY, makeUser, type MadeUser } from '../auth/auth-helpers.js';
import { seedUser, startOnSeededDatabase, type UpgradedApp } from './upgrade-app.js';

const admin = { 'X-API-Key': ADMIN_KEY };
const legacyKey = generateApiKey();
const ids = { fast: '00000000-0000-4000-8000-000000000001', slow: '00000000-0000-4000-8000-000000000002', adminFast: '00000000-0000-4000-8000-000000000003' };

async function seed(dataSource: DataSource): Promise<void> {
  await seedUser(dataSource, 'legacy-user', 'user');
  await seedUser(dataSource, 'legacy-admin', 'admin');
  await dataSource.query(`INSERT INTO api_keys (user_id, name, prefix, hash, scopes) VALUES ('legacy-user', 'r1', $1, $2, $3)`, [
    legacyKey.prefix,
    legacyKey.hash,
    ['graphs:read', 'graphs:write', 'executions:run', 'executions:read', 'credentials:manage'],
  ]);
  const definition = {
    name: 'ticker',
    nodes: {
      who: { block: 'input', inputs: { name: 'who', type: 'string', default: 'tick' }, credentials: {} },
      out: { block: 'output', inputs: { name: 'out' }, credentials: {} },
    },
    links: [{ from: { node: 'who', pin: 'value', path: [] }, to: { node: 'out', pin: 'value' }, static: false }],
  };
  await dataSource.query(`INSERT INTO graphs (id, source, active, active_version, latest_version, file) VALUES ('ticker', 'file', true, 1, 1, 'ticker.yaml')`);
  await dataSource.query(`INSERT INTO graph_versions (graph_id, version, definition, hash) VALUES ('ticker', 1, $1, 'hash-ticker')`, [
    JSON.stringify(definition),
  ]);
  // Far-future next fires: the schedules exist as release 1 left them, without firing during the test.
  for (const [id, cron, user] of [
    [ids.fast, '* * * * * *', 'legacy-user'],
    [ids.slow, '*/5 * * * *', 'legacy-user'],
    [ids.adminFast, '*/10 * * * * *', 'legacy-admin'],
  ]) {
    await dataSource.query(
      `INSERT INTO schedules (id, kind, graph_id, cron, user_id, next_fire_at) VALUES ($1, 'adhoc', 'ticker', $2, $3, now() + interval '1 day')`,
      [id, cron, user],
    );
  }
}

describe('schedules.min_interval', () => {
  let t: UpgradedApp;
  let bob: MadeUser;
  const api = () => request(t.http);
  const schedule = async (id: string) =>
    ((await api().get('/api/schedules').set(admin).expect(200)).body.items as Array<{ id: string; paused: boolean; paused_reason: string | null }>).find(
      (s) => s.id === id,
    )!;
  const pauseLogs = () => t.logs().filter((line) => String(line.msg).includes('schedules.min_interval'));

  beforeAll(async () => {
    t = await startOnSeededDatabase('minint', seed);
    bob = await makeUser(t, 'bob');
  });
  afterAll(() => t?.close());

  it('paused a release-1 every-second schedule of a non-admin at start-up, saying why, logged once', async () => {
    const fast = await schedule(ids.fast);
    expect(fast).toMatchObject({ paused: true, paused_reason: expect.stringContaining('schedules.min_interval: 1m') });
    expect(await schedule(ids.slow)).toMatchObject({ paused: false, paused_reason: null });
    expect(await schedule(ids.adminFast)).toMatchObject({ paused: false, paused_reason: null });
    expect(pauseLogs()).toHaveLength(1);
    expect(pauseLogs()[0]).toMatchObject({ schedules: [{ id: ids.fast, graph_id: 'ticker', cron: '* * * * * *', user_id: 'legacy-user' }] });
    await t.app.get(TriggerPolicyOnStart).onModuleInit();
    expect(pauseLogs()).toHaveLength(1);
  });

  it('refuses to resume it for its non-admin owner with 400, keeping the reason', async () => {
    const res = await api().patch(`/api/schedules/${ids.fast}`).set('X-API-Key', legacyKey.key).send({ paused: false });
    expect(res.status).toBe(400);
    expect(res.body.error.details.problems[0]).toMatchObject({ pointer: '/cron' });
    expect(await schedule(ids.fast)).toMatchObject({ paused: true, paused_reason: expect.stringContaining('min_interval') });
  });

  it("answers 400 to a non-admin's ad-hoc schedule whose fires come closer than 1m, and accepts one a minute apart", async () => {
    for (const cron of ['* * * * * *', '*/30 * * * * *', '0,30 * * * * *']) {
      const res = await api().post('/api/graphs/ticker/schedules').set('X-API-Key', bob.key).send({ cron });
      expect(res.status).toBe(400);
      expect(res.body.error.details.problems).toEqual([
        { pointer: '/cron', message: expect.stringContaining('more often than ad-hoc schedules may (schedules.min_interval: 1m)') },
      ]);
    }
    const count = (await t.dataSource.query(`SELECT count(*)::int AS n FROM schedules WHERE user_id = $1`, [bob.user.id])) as Array<{ n: number }>;
    expect(count[0]!.n).toBe(0);
    const ok = await api().post('/api/graphs/ticker/schedules').set('X-API-Key', bob.key).send({ cron: '* * * * *' }).expect(201);
    expect(ok.body).toMatchObject({ paused: false, paused_reason: null });
    await api()
      .delete(`/api/schedules/${ok.body.id as string}`)
      .set('X-API-Key', bob.key)
      .expect((res) => expect(res.status).toBeLessThan(300));
  });

  it('lets an admin create an every-second ad-hoc schedule', async () => {
    const res = await api().post('/api/graphs/ticker/schedules').set(admin).send({ cron: '* * * * * *' }).expect(201);
    await api()
      .patch(`/api/schedules/${res.body.id as string}`)
      .set(admin)
      .send({ paused: true })
      .expect(200);
  });
});
