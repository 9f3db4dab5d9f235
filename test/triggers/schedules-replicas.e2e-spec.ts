// Three real server processes (BullMQ mode, the built server) on one database and one Redis prefix, and a
// per-second trigger.cron: every replica upserts the job scheduler at start and consumes the schedules
// queue, and each fire time still makes exactly one execution. Deactivating the agent removes the job
// scheduler and its next job, so nothing is left to fire.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { createRedis } from '../../src/common/redis.js';
import { AgentsSyncService } from '../../src/agents/agents-sync.service.js';
import { type QueueScheduleDriver, SCHEDULE_DRIVER, SCHEDULES_QUEUE } from '../../src/triggers/schedules/schedule-driver.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { TEST_REDIS_URL } from '../helpers/queue.js';
import { ensureServerBuilt, ServerProcesses } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait.js';
import { agentsFolder, cronAgentYaml } from './schedules-helpers.js';

describe('schedules across three replicas (BullMQ)', () => {
  let t: TestApp;
  let folder: ReturnType<typeof agentsFolder>;
  let replicas: ServerProcesses;

  /** The URL each replica printed once it listened (its schedules worker started before that), or null. */
  const listening = () =>
    replicas.all.map(
      (r) => /Trellis is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(r.output())?.[1] ?? (r.child.exitCode === null ? null : `exited ${r.child.exitCode}`),
    );

  beforeAll(async () => {
    await ensureServerBuilt();
    folder = agentsFolder({ 'every-second.yaml': cronAgentYaml('every-second', '* * * * * *') });
    t = await createTestApp({ label: 'schedreplicas', redis: true, role: 'api', overrides: { credits: { enabled: false } } });
    replicas = new ServerProcesses({
      app: t,
      logLevel: 'info',
      captureStdout: true,
      env: { TRELLIS_ADMIN_API_KEY: 'test-admin-key-schedules-replicas', TRELLIS_CREDITS__ENABLED: 'false' },
    });
    await t.app.get(AgentsSyncService).sync({ dir: folder.dir, trigger: 'api' });
  }, 300_000);
  afterAll(async () => {
    await replicas?.killAll();
    await t?.close();
    folder?.cleanup();
  });

  it('makes exactly one execution per fire time with three replicas firing', async () => {
    const driver = t.app.get<QueueScheduleDriver>(SCHEDULE_DRIVER);
    expect(await driver.schedulerIds()).toEqual(['cron/every-second/tick']);
    for (let i = 0; i < 3; i++) replicas.start('all');
    // Three processes, each listening on a port of its own and answering /health: all three are up.
    const urls = await waitFor(listening, (found) => found.every((url) => url !== null), { timeoutMs: 90_000, what: 'the three replicas to listen' });
    expect(urls.every((url) => url!.startsWith('http://'))).toBe(true);
    expect(new Set(urls).size).toBe(3);
    for (const url of urls) expect((await fetch(`${url}/health`)).status).toBe(200);
    const fired = () =>
      t.dataSource.query(
        `SELECT f.scheduled_for, f.execution_id, e.status, e.trigger_event->>'scheduled_for' AS event_time FROM schedule_fires f LEFT JOIN executions e ON e.id = f.execution_id
         WHERE f.schedule_key = 'trigger:every-second/tick' ORDER BY f.scheduled_for`,
      ) as Promise<Array<{ scheduled_for: Date; execution_id: string | null; status: string | null; event_time: string | null }>>;
    // Every replica has started (and upserted the scheduler again); now a few seconds of fires.
    const first = await waitFor(fired, (rows) => rows.filter((r) => r.execution_id).length >= 2, { timeoutMs: 90_000, what: 'the first fires' });
    const rows = await waitFor(fired, (all) => all.filter((r) => r.execution_id).length >= first.length + 5, {
      timeoutMs: 30_000,
      what: 'five more seconds of fires',
    });

    const executions = (await t.dataSource.query(
      `SELECT trigger_event->>'scheduled_for' AS at, count(*)::int AS n FROM executions WHERE graph_id = 'every-second' AND source = 'schedule' GROUP BY 1 ORDER BY 1`,
    )) as Array<{ at: string; n: number }>;
    expect(executions.filter((e) => e.n !== 1)).toEqual([]);
    const withExecution = rows.filter((r) => r.execution_id);
    expect(executions.length).toBeGreaterThanOrEqual(withExecution.length);
    for (const row of withExecution) expect(row.event_time).toBe(new Date(row.scheduled_for).toISOString());
    // Fire times are whole seconds, each one once.
    const times = withExecution.map((r) => new Date(r.scheduled_for).getTime());
    expect(times.every((time) => time % 1000 === 0)).toBe(true);
    expect(new Set(times).size).toBe(times.length);
    await waitFor(
      () =>
        t.dataSource.query(`SELECT count(*)::int AS n FROM executions WHERE graph_id = 'every-second' AND status = 'COMPLETED'`) as Promise<
          Array<{ n: number }>
        >,
      (r) => r[0]!.n >= 3,
      { timeoutMs: 30_000, what: 'scheduled executions to complete on the replicas' },
    );
  }, 180_000);

  it('removes the job scheduler when the agent is deactivated', async () => {
    folder.remove('every-second.yaml');
    await t.app.get(AgentsSyncService).sync({ dir: folder.dir, trigger: 'api' });
    const driver = t.app.get<QueueScheduleDriver>(SCHEDULE_DRIVER);
    expect(await driver.schedulerIds()).toEqual([]);
    expect(await t.dataSource.query(`SELECT id FROM schedules`)).toEqual([]);
    const count = async () => ((await t.dataSource.query(`SELECT count(*)::int AS n FROM schedule_fires`)) as Array<{ n: number }>)[0]!.n;
    const stoppedAt = await count();
    // Nothing is left to fire: no job scheduler (above) and, once a fire in flight has finished, no job of
    // the schedules queue in any state that could still run.
    const connection = createRedis(TEST_REDIS_URL);
    const queue = new Queue(SCHEDULES_QUEUE, { connection, prefix: t.config.queuePrefix });
    try {
      const pending = await waitFor(
        () => queue.getJobCounts('active', 'wait', 'delayed', 'prioritized', 'waiting-children'),
        (counts) => Object.values(counts).every((n) => n === 0),
        { timeoutMs: 10_000, what: 'no schedules job left to run' },
      );
      expect(pending).toEqual({ active: 0, wait: 0, delayed: 0, prioritized: 0, 'waiting-children': 0 });
    } finally {
      await queue.close();
      connection.disconnect();
    }
    // At most a fire already in flight when the scheduler was removed.
    expect(await count()).toBeLessThanOrEqual(stoppedAt + 1);
  }, 30_000);
});
