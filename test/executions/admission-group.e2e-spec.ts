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

describe('admission: one statement for the executions of a turn', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ label: 'admitgroup', env: { TRELLIS_ADMIN_API_KEY: ADMIN }, overrides: { credits: { enabled: false } } });
    await saveAgent(t.dataSource, echoAgent('grouped'));
  });
  afterAll(async () => t?.close());

  it('writes concurrent execute requests in one transaction and answers each with its own execution', async () => {
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
    // Each answer names the row that holds its own inputs.
    for (const [i, id] of ids.entries()) expect(rows.find((row) => row.id === id)?.inputs).toEqual({ text: `n${i}` });
    // Requests that reached admission in the same turn share a transaction: fewer commits than requests.
    expect(new Set(rows.map((row) => row.tx)).size).toBeLessThan(5);
  });

  it('fails only the row the database refuses; the others of its group are written and answered', async () => {
    const repository = t.app.get(AdmissionRepository);
    const [admin] = (await t.dataSource.query(`SELECT id FROM users WHERE role = 'admin' LIMIT 1`)) as Array<{ id: string }>;
    const row = (graph: string): AdmittedExecution => ({
      id: randomUUID(),
      graph_id: graph,
      graph_version: 1,
      source: 'api',
      user_id: admin!.id,
      ...NO_ROW,
      inputs: { text: graph },
      trust: 'none',
    });
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
