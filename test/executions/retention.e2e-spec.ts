// Retention: the housekeeping job (@nestjs/schedule) prunes finished executions that ended before
// executor.retention, in batches, with their node executions; unfinished ones are never pruned however old.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { ExecutionRetentionService, RETENTION_INTERVAL_MS } from '../../src/executions/worker/execution-retention.service.js';
import { echoAgent, link, node, saveAgent } from './graphs.fixture.js';

const ADMIN = 'test-admin-key-executions-retention';

describe('execution retention', () => {
  let t: TestApp;
  const api = () => request(t.http);
  const ids = async (): Promise<string[]> => ((await t.dataSource.query(`SELECT id FROM executions ORDER BY id`)) as Array<{ id: string }>).map((r) => r.id);
  const age = (id: string, days: number) =>
    t.dataSource.query(
      `UPDATE executions SET created_at = created_at - make_interval(days => $2), started_at = started_at - make_interval(days => $2), ended_at = ended_at - make_interval(days => $2) WHERE id = $1`,
      [id, days],
    );

  beforeAll(async () => {
    t = await createTestApp({
      label: 'execretention',
      env: { TRELLIS_ADMIN_API_KEY: ADMIN },
      overrides: { credits: { enabled: false }, executor: { retention: '7d' } },
    });
    await saveAgent(t.dataSource, echoAgent('echo'));
    await saveAgent(t.dataSource, echoAgent('parse', { parse: node('json.parse') }, [link('text.value', 'parse.text'), link('parse.value', 'result.value')]));
    await saveAgent(t.dataSource, {
      ...echoAgent('slow', { wait: node('time.delay', { duration: '10m' }) }, [link('text.value', 'wait.value'), link('wait.value', 'result.value')]),
      concurrency: 1,
    });
  });
  afterAll(async () => t?.close());

  it('is registered as an interval job of @nestjs/schedule', () => {
    const registry = t.app.get(SchedulerRegistry);
    expect(registry.getIntervals()).toContain('execution-retention');
    expect(RETENTION_INTERVAL_MS).toBe(60 * 60 * 1000);
  });

  it('prunes finished executions past retention in batches, with their node executions, and nothing else', async () => {
    const old: string[] = [];
    for (let i = 0; i < 4; i++)
      old.push(
        (
          await api()
            .post('/api/graphs/echo/execute?wait=10s')
            .set('X-API-Key', ADMIN)
            .send({ inputs: { text: `old ${i}` } })
        ).body.execution_id,
      );
    const failed = await api()
      .post('/api/graphs/parse/execute?wait=10s')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: 'not json' } });
    expect(failed.body.status).toBe('FAILED');
    old.push(failed.body.execution_id);
    const recent = (
      await api()
        .post('/api/graphs/echo/execute?wait=10s')
        .set('X-API-Key', ADMIN)
        .send({ inputs: { text: 'recent' } })
    ).body.execution_id as string;
    const justInside = (
      await api()
        .post('/api/graphs/echo/execute?wait=10s')
        .set('X-API-Key', ADMIN)
        .send({ inputs: { text: 'six days' } })
    ).body.execution_id as string;
    // Unfinished however old: one RUNNING (parked on a long delay) and one QUEUED behind it (concurrency 1).
    const running = (
      await api()
        .post('/api/graphs/slow/execute')
        .set('X-API-Key', ADMIN)
        .send({ inputs: { text: 'r' } })
    ).body.id as string;
    await waitFor(
      () => t.dataSource.query(`SELECT status FROM executions WHERE id = $1`, [running]),
      (rows: Array<{ status: string }>) => rows[0]?.status === 'RUNNING',
      { what: 'the slow one to run' },
    );
    const queued = (
      await api()
        .post('/api/graphs/slow/execute')
        .set('X-API-Key', ADMIN)
        .send({ inputs: { text: 'q' } })
    ).body.id as string;
    for (const id of old) await age(id, 30);
    await age(justInside, 6);
    await age(running, 30);
    await age(queued, 30);
    const oldNodes = (await t.dataSource.query(`SELECT count(*)::int AS n FROM node_executions WHERE execution_id = ANY($1::uuid[])`, [old])) as Array<{
      n: number;
    }>;
    expect(oldNodes[0]!.n).toBeGreaterThan(0);

    const retention = t.app.get(ExecutionRetentionService);
    expect(await retention.prune(2)).toBe(5);
    expect(await ids()).toEqual([recent, justInside, running, queued].sort());
    const leftNodes = (await t.dataSource.query(`SELECT count(*)::int AS n FROM node_executions WHERE execution_id = ANY($1::uuid[])`, [old])) as Array<{
      n: number;
    }>;
    expect(leftNodes[0]!.n).toBe(0);
    const statuses = (await t.dataSource.query(`SELECT status FROM executions WHERE id = ANY($1::uuid[]) ORDER BY status`, [[running, queued]])) as Array<{
      status: string;
    }>;
    expect(statuses.map((r) => r.status)).toEqual(['QUEUED', 'RUNNING']);
    // A second pass finds nothing more to do.
    expect(await retention.prune()).toBe(0);
  });
});
