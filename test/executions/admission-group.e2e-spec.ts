// Executions admitted one by one in the same turn of the event loop (the execute API under load) are
// written by one INSERT, one commit; each caller gets its own row once committed, and a row the database
// refuses fails only its own caller.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { AdmissionRepository } from '../../src/executions/admission/admission.repository.js';
import type { AdmittedExecution } from '../../src/executions/admission/admission.types.js';
import { NO_ROW } from '../../src/executions/admission/execution-admission.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { echoAgent, saveAgent } from './graphs.fixture.js';

const ADMIN = 'test-admin-key-admission-group-01';

function admittedRow(graph: string, userId: string, text: string): AdmittedExecution {
  return { id: randomUUID(), graph_id: graph, graph_version: 1, source: 'api', user_id: userId, ...NO_ROW, inputs: { text }, trust: 'none' };
}

describe('admission: one statement for the executions of a turn', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ label: 'admitgroup', env: { TRELLIS_ADMIN_API_KEY: ADMIN }, overrides: { credits: { enabled: false } } });
    await saveAgent(t.dataSource, echoAgent('grouped'));
  });
  afterAll(async () => t?.close());

  it('answers concurrent execute requests each with its own execution', async () => {
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        request(t.http)
          .post('/api/graphs/grouped/execute')
          .set('X-API-Key', ADMIN)
          .send({ inputs: { text: `n${i}` } }),
      ),
    );
    for (const res of answers) expect(res.status).toBe(202);
    const ids = answers.map((res) => res.body.id as string);
    expect(new Set(ids).size).toBe(5);
    const rows = (await t.dataSource.query(`SELECT id, inputs, xmin::text AS tx FROM executions WHERE id = ANY($1::uuid[])`, [ids])) as Array<{
      id: string;
      inputs: { text: string };
      tx: string;
    }>;
    // Each answer names the row that holds its own inputs (whether or not the requests met in one turn).
    for (const [i, id] of ids.entries()) expect(rows.find((row) => row.id === id)?.inputs).toEqual({ text: `n${i}` });
  });

  it('writes the executions admitted in the same turn in one transaction, and a later one in its own', async () => {
    const repository = t.app.get(AdmissionRepository);
    const [admin] = (await t.dataSource.query(`SELECT id FROM users WHERE role = 'admin' LIMIT 1`)) as Array<{ id: string }>;
    const rows = Array.from({ length: 6 }, (_, i) => admittedRow('grouped', admin!.id, `t${i}`));
    // Five in one turn (as the requests of a busy API reach admission), then one after they were written.
    await Promise.all(rows.slice(0, 5).map((row) => repository.insertOne(row)));
    await repository.insertOne(rows[5]!);
    const written = (await t.dataSource.query(`SELECT id, xmin::text AS tx FROM executions WHERE id = ANY($1::uuid[])`, [rows.map((r) => r.id)])) as Array<{
      id: string;
      tx: string;
    }>;
    const txOf = new Map(written.map((row) => [row.id, row.tx]));
    expect(new Set(rows.slice(0, 5).map((row) => txOf.get(row.id))).size).toBe(1);
    expect(txOf.get(rows[5]!.id)).toBeDefined();
    expect(txOf.get(rows[5]!.id)).not.toBe(txOf.get(rows[0]!.id));
  });

  it('fails only the row the database refuses; the others of its group are written and answered', async () => {
    const repository = t.app.get(AdmissionRepository);
    const [admin] = (await t.dataSource.query(`SELECT id FROM users WHERE role = 'admin' LIMIT 1`)) as Array<{ id: string }>;
    const row = (graph: string) => admittedRow(graph, admin!.id, graph);
    const good = [row('grouped'), row('grouped')];
    const bad = row('no-such-agent');
    const outcomes = await Promise.allSettled([repository.insertOne(good[0]!), repository.insertOne(bad), repository.insertOne(good[1]!)]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ message: expect.stringContaining('executions_graph_version_fkey') });
    const written = (await t.dataSource.query(`SELECT id FROM executions WHERE id = ANY($1::uuid[])`, [[...good, bad].map((r) => r.id)])) as Array<{
      id: string;
    }>;
    expect(written.map((r) => r.id).sort()).toEqual(good.map((r) => r.id).sort());
  });
});
