// Schedules in-process (REDIS_URL unset): the local scheduler on Postgres. Sync keeps trigger schedules in
// step; ad-hoc schedules through the API; misfires skipped; two app instances on one database fire each
// per-second fire time once. The app reads "now" from a test clock (set where a test needs a given time,
// the real time otherwise): next fire times and the misfire boundary are checked at exact instants.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { AgentsSyncService } from '../../src/agents/agents-sync.service.js';
import { SchedulesService } from '../../src/triggers/schedules/schedules.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { clockModule, TestClock } from '../helpers/clock.js';
import { secondInstance } from './schedules-helpers.js';
import { waitFor } from '../helpers/wait.js';
import { agentsFolder, cronAgentYaml } from './schedules-helpers.js';

const ADMIN = 'test-admin-key-schedules-local';
const auth = { 'X-API-Key': ADMIN };

interface Fire {
  schedule_key: string;
  scheduled_for: Date;
  execution_id: string | null;
}

describe('schedules (in-process)', () => {
  let t: TestApp;
  let folder: ReturnType<typeof agentsFolder>;
  const clock = new TestClock();
  const sync = () => t.app.get(AgentsSyncService).sync({ dir: folder.dir, trigger: 'api' });

  beforeAll(async () => {
    folder = agentsFolder({ 'yearly.yaml': cronAgentYaml('yearly', '0 0 1 1 *', { timezone: 'Europe/Berlin' }) });
    t = await createTestApp({
      label: 'schedlocal',
      env: { TRELLIS_ADMIN_API_KEY: ADMIN },
      overrides: { credits: { enabled: false } },
      modules: [clockModule(clock)],
    });
    await sync();
  });
  afterAll(async () => {
    await t?.close();
    folder?.cleanup();
  });
  afterEach(() => clock.release());

  it('creates a trigger schedule on sync and lists it with its next fire times', async () => {
    clock.set(new Date('2031-06-15T12:00:00Z'));
    const res = await request(t.http).get('/api/schedules').set(auth).expect(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        kind: 'trigger',
        graph_id: 'yearly',
        node_id: 'tick',
        cron: '0 0 1 1 *',
        timezone: 'Europe/Berlin',
        payload: { job: 'nightly' },
        paused: false,
        active: true,
      }),
    ]);
    const times = res.body.items[0].next_fire_times as string[];
    expect(times).toHaveLength(5);
    // Midnight in Berlin on January 1st is 23:00 UTC the day before; the first is the next one after the clock.
    expect(times.every((time) => time.endsWith('-12-31T23:00:00.000Z'))).toBe(true);
    expect(times).toEqual([2031, 2032, 2033, 2034, 2035].map((year) => `${year}-12-31T23:00:00.000Z`));
  });

  it('creates, lists and deletes an ad-hoc schedule, refusing bad bodies with every problem', async () => {
    const bad = await request(t.http)
      .post('/api/graphs/yearly/schedules')
      .set(auth)
      .send({ cron: '* * *', timezone: 'Mars/Olympus', inputs: { nobody: 1 } })
      .expect(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.details.problems).toEqual([
      { pointer: '/cron', message: expect.stringContaining('5 fields') },
      { pointer: '/timezone', message: expect.stringContaining('"Mars/Olympus" is not an IANA time zone') },
    ]);
    const badInput = await request(t.http)
      .post('/api/graphs/yearly/schedules')
      .set(auth)
      .send({ cron: '0 8 * * *', inputs: { nobody: 1 } })
      .expect(400);
    expect(badInput.body.error.details.problems).toEqual([
      expect.objectContaining({ pointer: '/inputs/nobody', message: expect.stringContaining('"nobody" is not an input of yearly') }),
    ]);
    await request(t.http).post('/api/graphs/missing/schedules').set(auth).send({ cron: '0 8 * * *' }).expect(404);

    const created = await request(t.http)
      .post('/api/graphs/yearly/schedules')
      .set(auth)
      .send({ cron: '0 8 * * 1-5', timezone: 'America/New_York', inputs: { who: 'Ada' } })
      .expect(201);
    expect(created.body).toMatchObject({
      kind: 'adhoc',
      graph_id: 'yearly',
      node_id: null,
      inputs: { who: 'Ada' },
      user_id: expect.any(String),
      paused: false,
    });
    expect(created.body.next_fire_times).toHaveLength(5);
    for (const time of created.body.next_fire_times as string[]) expect(new Date(time).getUTCHours()).toBeGreaterThanOrEqual(12);

    const forGraph = await request(t.http).get('/api/graphs/yearly/schedules').set(auth).expect(200);
    expect(forGraph.body.items.map((s: { kind: string }) => s.kind).sort()).toEqual(['adhoc', 'trigger']);

    const trigger = forGraph.body.items.find((s: { kind: string }) => s.kind === 'trigger');
    const refused = await request(t.http).delete(`/api/schedules/${trigger.id}`).set(auth).expect(409);
    expect(refused.body.error.message).toContain('remove the node from the agent');

    await request(t.http).delete(`/api/schedules/${created.body.id}`).set(auth).expect(204);
    await request(t.http).delete(`/api/schedules/${created.body.id}`).set(auth).expect(404);
    await request(t.http).patch('/api/schedules/not-a-schedule').set(auth).send({ paused: true }).expect(404);
    const badPatch = await request(t.http).patch(`/api/schedules/${trigger.id}`).set(auth).send({ paused: 'yes' }).expect(400);
    expect(badPatch.body.error.code).toBe('VALIDATION_FAILED');
    expect((await request(t.http).get('/api/schedules').set(auth).expect(200)).body.items).toHaveLength(1);
  });

  it('skips and records a fire later than schedules.misfire_grace, and runs one on time exactly once', async () => {
    const [schedule] = (await t.dataSource.query(`SELECT id FROM schedules WHERE graph_id = 'yearly' AND kind = 'trigger'`)) as Array<{ id: string }>;
    const service = t.app.get(SchedulesService);
    const grace = t.config.schedules.misfire_grace;
    // The clock stands 1 ms past the grace of a fire time: skipped, and recorded so that it is never replayed.
    const late = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
    clock.set(new Date(late.getTime() + grace + 1));
    expect(await service.fire(schedule!.id, late)).toBeNull();
    const skipped = (await t.dataSource.query(`SELECT schedule_key, scheduled_for, execution_id FROM schedule_fires WHERE scheduled_for = $1`, [
      late,
    ])) as Fire[];
    expect(skipped).toEqual([{ schedule_key: 'trigger:yearly/tick', scheduled_for: late, execution_id: null }]);

    // The next fire time, with the clock exactly at its grace: still on time, and two deliveries make one execution.
    const onTime = new Date(late.getTime() + 1000);
    clock.set(new Date(onTime.getTime() + grace));
    const [first, second] = await Promise.all([service.fire(schedule!.id, onTime), service.fire(schedule!.id, onTime)]);
    const created = [first, second].filter(Boolean);
    expect(created).toHaveLength(1);
    // After the commit, as the driver's job handler does (left to the sweep, the run would start seconds later).
    await service.dispatch(created[0]!);
    const done = await waitFor(
      () => t.dataSource.query(`SELECT status, source, trigger_node, trigger_event, outputs, schedule_id FROM executions WHERE id = $1`, [created[0]]),
      (rows: Array<{ status: string; trigger_event: unknown }>) => rows[0]?.status === 'COMPLETED',
      { what: 'the scheduled execution to complete' },
    );
    expect(done[0]).toMatchObject({
      source: 'schedule',
      trigger_node: 'tick',
      schedule_id: schedule!.id,
      outputs: { fired: [onTime.toISOString()], whom: ['cron'] },
    });
    expect(done[0]!.trigger_event).toEqual({
      fired_at: new Date(onTime.getTime() + grace).toISOString(),
      scheduled_for: onTime.toISOString(),
      payload: { job: 'nightly' },
    });
  });

  it('pauses and resumes a per-second ad-hoc schedule, and two app instances on one database fire each time once', async () => {
    const second = await secondInstance(t);
    try {
      const created = await request(t.http)
        .post('/api/graphs/yearly/schedules')
        .set(auth)
        .send({ cron: '* * * * * *', inputs: { who: 'Grace' } })
        .expect(201);
      const id = created.body.id as string;
      const fires = () =>
        t.dataSource.query(`SELECT schedule_key, scheduled_for, execution_id FROM schedule_fires WHERE schedule_key = $1 ORDER BY scheduled_for`, [
          `adhoc:${id}`,
        ]) as Promise<Fire[]>;
      // Three fire times with both instances consuming (as the queue contract's "once per time across two consumers").
      await waitFor(fires, (rows) => rows.filter((r) => r.execution_id).length >= 3, { timeoutMs: 15_000, what: 'three per-second fires' });

      const paused = await request(t.http).patch(`/api/schedules/${id}`).set(auth).send({ paused: true }).expect(200);
      expect(paused.body).toMatchObject({ paused: true, next_fire_times: [] });
      const pausedAt = Date.now();
      // The condition is time itself: two seconds in which a running per-second schedule would fire twice.
      await waitFor(
        () => Date.now(),
        (now) => now > pausedAt + 2_000,
        { what: 'two seconds of pause' },
      );
      const resumedAt = Date.now();
      const resumed = await request(t.http).patch(`/api/schedules/${id}`).set(auth).send({ paused: false }).expect(200);
      expect(resumed.body.next_fire_times).toHaveLength(5);
      const before = (await fires()).length;
      // A missed fire replayed at the resume would come first: two fires after it are enough to see one.
      const after = await waitFor(fires, (rows) => rows.length >= before + 2, { timeoutMs: 15_000, what: 'fires after resuming' });
      await request(t.http).delete(`/api/schedules/${id}`).set(auth).expect(204);

      const times = after.map((r) => new Date(r.scheduled_for).getTime());
      expect(new Set(times).size).toBe(times.length);
      // Nothing fired for a time inside the pause, and nothing missed was replayed after it.
      expect(times.filter((time) => time > pausedAt + 500 && time < resumedAt)).toEqual([]);
      expect(after.every((r) => r.execution_id !== null)).toBe(true);
      const executions = (await t.dataSource.query(`SELECT id, inputs, user_id FROM executions WHERE source = 'schedule' AND id = ANY($1)`, [
        after.map((r) => r.execution_id),
      ])) as Array<{ id: string; inputs: unknown; user_id: string }>;
      // Deleting the schedule keeps its executions (schedule_id set to null): one per fire time.
      expect(executions).toHaveLength(after.length);
      expect(executions.every((e) => JSON.stringify(e.inputs) === '{"who":"Grace"}' && e.user_id === created.body.user_id)).toBe(true);
    } finally {
      await second.close();
    }
  }, 60_000);

  it('changes the trigger schedule when the file changes, and removes it when the node or the file goes', async () => {
    folder.write({ 'yearly.yaml': cronAgentYaml('yearly', '0 6 * * *', { timezone: 'UTC' }) });
    await sync();
    const [changed] = (await request(t.http).get('/api/schedules').set(auth).expect(200)).body.items;
    expect(changed).toMatchObject({ cron: '0 6 * * *', timezone: 'UTC' });
    expect((changed.next_fire_times as string[]).every((time) => time.endsWith('T06:00:00.000Z'))).toBe(true);

    folder.write({ 'yearly.yaml': cronAgentYaml('yearly', '0 6 * * *', { node: 'morning' }) });
    await sync();
    expect((await request(t.http).get('/api/schedules').set(auth).expect(200)).body.items).toEqual([expect.objectContaining({ node_id: 'morning' })]);

    folder.remove('yearly.yaml');
    await sync();
    expect((await request(t.http).get('/api/schedules').set(auth).expect(200)).body.items).toEqual([]);
    expect(await t.dataSource.query(`SELECT id FROM schedules WHERE kind = 'trigger'`)).toEqual([]);
  });
});
