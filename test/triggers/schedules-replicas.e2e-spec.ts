// Three real server processes (BullMQ mode) on one database and one Redis prefix, and a per-second
// trigger.cron: every replica upserts the job scheduler at start and consumes the schedules queue, and
// each fire time still makes exactly one execution. Deactivating the agent removes the job scheduler.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AgentsSyncService } from '../../src/agents/agents-sync.service.js';
import { SCHEDULE_DRIVER } from '../../src/triggers/schedules/schedule-driver.js';
import type { QueueScheduleDriver } from '../../src/triggers/schedules/schedule-driver.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { TEST_REDIS_URL } from '../helpers/queue.js';
import { waitFor } from '../helpers/wait.js';
import { agentsFolder, cronAgentYaml } from './schedules-helpers.js';

describe('schedules across three replicas (BullMQ)', () => {
  let t: TestApp;
  let folder: ReturnType<typeof agentsFolder>;
  const replicas: ChildProcess[] = [];

  function startReplica(): ChildProcess {
    const child = spawn(process.execPath, ['--import', './test/agents/fixtures/register-ts.mjs', 'src/main.ts', '--role', 'all'], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        TRELLIS_ENV: 'test',
        DATABASE_URL: t.database.url,
        REDIS_URL: TEST_REDIS_URL,
        TRELLIS_QUEUE_PREFIX: t.config.queuePrefix,
        PORT: '0',
        LOG_LEVEL: 'warn',
        TRELLIS_ADMIN_API_KEY: 'test-admin-key-schedules-replicas',
        TRELLIS_CREDITS__ENABLED: 'false',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    replicas.push(child);
    return child;
  }

  beforeAll(async () => {
    folder = agentsFolder({ 'every-second.yaml': cronAgentYaml('every-second', '* * * * * *') });
    t = await createTestApp({ label: 'schedreplicas', redis: true, role: 'api', overrides: { credits: { enabled: false } } });
    await t.app.get(AgentsSyncService).sync({ dir: folder.dir, trigger: 'api' });
  });
  afterAll(async () => {
    for (const child of replicas) if (child.exitCode === null) child.kill('SIGKILL');
    await t?.close();
    folder?.cleanup();
  });

  it('makes exactly one execution per fire time with three replicas firing', async () => {
    const driver = t.app.get<QueueScheduleDriver>(SCHEDULE_DRIVER);
    expect(await driver.schedulerIds()).toEqual(['cron/every-second/tick']);
    for (let i = 0; i < 3; i++) startReplica();
    const ready = () => t.dataSource.query(`SELECT count(DISTINCT application_name)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'trellis-all'`, [t.database.name]) as Promise<Array<{ n: number }>>;
    await waitFor(ready, (rows) => rows[0]!.n >= 1, { timeoutMs: 90_000, what: 'the replicas to connect' });
    const fired = () =>
      t.dataSource.query(
        `SELECT f.scheduled_for, f.execution_id, e.status, e.trigger_event->>'scheduled_for' AS event_time FROM schedule_fires f LEFT JOIN executions e ON e.id = f.execution_id
         WHERE f.schedule_key = 'trigger:every-second/tick' ORDER BY f.scheduled_for`,
      ) as Promise<Array<{ scheduled_for: Date; execution_id: string | null; status: string | null; event_time: string | null }>>;
    // Wait until every replica has started (and upserted the scheduler again), then for a few more seconds of fires.
    await waitFor(() => Promise.all(replicas.map((r) => r.exitCode)), (codes) => codes.every((c) => c === null), { what: 'replicas alive' });
    const first = await waitFor(fired, (rows) => rows.filter((r) => r.execution_id).length >= 2, { timeoutMs: 90_000, what: 'the first fires' });
    const rows = await waitFor(fired, (all) => all.filter((r) => r.execution_id).length >= first.length + 5, { timeoutMs: 30_000, what: 'five more seconds of fires' });

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
      () => t.dataSource.query(`SELECT count(*)::int AS n FROM executions WHERE graph_id = 'every-second' AND status = 'COMPLETED'`) as Promise<Array<{ n: number }>>,
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
    const since = Date.now();
    await waitFor(() => Date.now(), (now) => now > since + 2_000, { what: 'two seconds without the schedule' });
    // At most a fire already in flight when the scheduler was removed.
    expect(await count()).toBeLessThanOrEqual(stoppedAt + 1);
  }, 30_000);
});
