// The rules the schema enforces by itself, whatever the code above it does: execution status moves, a
// balance that never goes negative, one delivery per (scope, key), one charge per node attempt, one fire
// per schedule and time. Plain SQL over pg, so each refusal is seen exactly as Postgres reports it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { waitFor } from '../helpers/wait.js';

const STATUSES = ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
const LEGAL_MOVES = new Set(['QUEUED>RUNNING', 'QUEUED>CANCELLED', 'QUEUED>FAILED', 'RUNNING>COMPLETED', 'RUNNING>FAILED', 'RUNNING>CANCELLED']);

interface Refusal {
  code: string;
  constraint: string | undefined;
  message: string;
  hint: string | undefined;
}

/** Runs a statement that must fail, and answers how Postgres refused it. */
async function refusal(statement: Promise<unknown>): Promise<Refusal> {
  try {
    await statement;
  } catch (error) {
    const { code, constraint, message, hint } = error as pg.DatabaseError;
    return { code: code ?? '', constraint, message, hint };
  }
  throw new Error('Expected Postgres to refuse the statement, but it succeeded.');
}

describe('rules enforced by the schema', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  const sql = (text: string, values: unknown[] = []) => pool.query(text, values);

  beforeAll(async () => {
    db = await createTestDatabase('rules');
    pool = new pg.Pool({ connectionString: db.url, max: 12 });
    await sql(`INSERT INTO users (id, handle) VALUES ('u1', 'alice')`);
    await sql(`INSERT INTO graphs (id, source, active_version, latest_version) VALUES ('demo', 'api', 1, 1)`);
    await sql(`INSERT INTO graph_versions (graph_id, version, definition, hash) VALUES ('demo', 1, '{}', 'h1')`);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  async function newExecution(status: string = 'QUEUED', extra: { parent_id?: string } = {}): Promise<string> {
    const { rows } = await sql(
      `INSERT INTO executions (graph_id, graph_version, status, source, user_id, parent_id) VALUES ('demo', 1, $1, $2, 'u1', $3) RETURNING id`,
      [status, extra.parent_id ? 'agent' : 'api', extra.parent_id ?? null],
    );
    return rows[0].id;
  }

  describe('execution status moves', () => {
    const pairs = STATUSES.flatMap((from) => STATUSES.filter((to) => to !== from).map((to) => [from, to] as const));

    it.each(pairs.filter(([from, to]) => LEGAL_MOVES.has(`${from}>${to}`)))('allows %s -> %s', async (from, to) => {
      const id = await newExecution(from);
      const { rows } = await sql(`UPDATE executions SET status = $2 WHERE id = $1 RETURNING status`, [id, to]);
      expect(rows).toEqual([{ status: to }]);
    });

    it.each(pairs.filter(([from, to]) => !LEGAL_MOVES.has(`${from}>${to}`)))('refuses %s -> %s', async (from, to) => {
      const id = await newExecution(from);
      const refused = await refusal(sql(`UPDATE executions SET status = $2 WHERE id = $1`, [id, to]));
      expect(refused).toMatchObject({ code: '23514', constraint: 'executions_status_transition' });
      expect(refused.message).toContain(`Execution ${id} cannot move from ${from} to ${to}`);
      const { rows } = await sql(`SELECT status FROM executions WHERE id = $1`, [id]);
      expect(rows).toEqual([{ status: from }]);
    });

    it('says what is allowed and what to do when refusing COMPLETED -> RUNNING and QUEUED -> COMPLETED', async () => {
      const completed = await newExecution('COMPLETED');
      expect(await refusal(sql(`UPDATE executions SET status = 'RUNNING' WHERE id = $1`, [completed]))).toEqual({
        code: '23514',
        constraint: 'executions_status_transition',
        message:
          `Execution ${completed} cannot move from COMPLETED to RUNNING: the allowed moves are QUEUED -> RUNNING, CANCELLED or FAILED ` +
          'and RUNNING -> COMPLETED, FAILED or CANCELLED; a finished execution never changes status.',
        hint: 'Another process may have moved it first: re-read the execution, and guard status updates with WHERE status = <the expected status>.',
      });
      const queued = await newExecution('QUEUED');
      const refused = await refusal(sql(`UPDATE executions SET status = 'COMPLETED' WHERE id = $1`, [queued]));
      expect(refused.message).toMatch(/cannot move from QUEUED to COMPLETED: the allowed moves are/);
    });

    it('allows writing the same status again, and any other column of a finished execution', async () => {
      const id = await newExecution('COMPLETED');
      const { rows } = await sql(`UPDATE executions SET status = 'COMPLETED', outputs = '{"a": [1]}' WHERE id = $1 RETURNING status, outputs`, [id]);
      expect(rows).toEqual([{ status: 'COMPLETED', outputs: { a: [1] } }]);
    });

    it('stamps started_at on RUNNING and ended_at on a final status, keeping times the writer gave', async () => {
      const id = await newExecution();
      const queued = await sql(`SELECT started_at, ended_at FROM executions WHERE id = $1`, [id]);
      expect(queued.rows).toEqual([{ started_at: null, ended_at: null }]);
      const running = await sql(`UPDATE executions SET status = 'RUNNING' WHERE id = $1 RETURNING started_at, ended_at`, [id]);
      expect(running.rows[0].started_at).toBeInstanceOf(Date);
      expect(running.rows[0].ended_at).toBeNull();
      const given = new Date('2030-01-02T03:04:05.000Z');
      const done = await sql(`UPDATE executions SET status = 'FAILED', ended_at = $2 WHERE id = $1 RETURNING started_at, ended_at`, [id, given]);
      expect(done.rows[0]).toEqual({ started_at: running.rows[0].started_at, ended_at: given });

      const refusedBeforeStart = await newExecution('FAILED');
      const inserted = await sql(`SELECT started_at, ended_at FROM executions WHERE id = $1`, [refusedBeforeStart]);
      expect(inserted.rows[0].started_at).toBeNull();
      expect(inserted.rows[0].ended_at).toBeInstanceOf(Date);
    });

    it('keeps ended_at set exactly on finished executions (retention prunes by it)', async () => {
      const finished = await newExecution('CANCELLED');
      expect(await refusal(sql(`UPDATE executions SET ended_at = NULL WHERE id = $1`, [finished]))).toMatchObject({
        code: '23514',
        constraint: 'executions_ended_at_check',
      });
      const queued = await newExecution();
      expect(await refusal(sql(`UPDATE executions SET ended_at = now() WHERE id = $1`, [queued]))).toMatchObject({
        constraint: 'executions_ended_at_check',
      });
    });

    it('refuses an unknown status or source, naming the check', async () => {
      expect(await refusal(newExecution('STOPPED'))).toMatchObject({ code: '23514', constraint: 'executions_status_check' });
      const refused = await refusal(sql(`INSERT INTO executions (graph_id, graph_version, source, user_id) VALUES ('demo', 1, 'email', 'u1')`));
      expect(refused).toMatchObject({ code: '23514', constraint: 'executions_source_check' });
    });

    it('refuses an execution of a version that does not exist', async () => {
      const refused = await refusal(sql(`INSERT INTO executions (graph_id, graph_version, source, user_id) VALUES ('demo', 2, 'api', 'u1')`));
      expect(refused).toMatchObject({ code: '23503', constraint: 'executions_graph_version_fkey' });
    });

    it('numbers node executions in creation order, even within one transaction', async () => {
      const id = await newExecution('RUNNING');
      const { rows } = await sql(
        `INSERT INTO node_executions (execution_id, node_id, block, status)
           SELECT $1, 'n' || i, 'text.template', 'QUEUED' FROM generate_series(1, 5) AS i RETURNING node_id, seq, created_at`,
        [id],
      );
      expect(new Set(rows.map((row) => row.created_at.getTime())).size).toBe(1);
      const ordered = await sql(`SELECT node_id FROM node_executions WHERE execution_id = $1 ORDER BY seq`, [id]);
      expect(ordered.rows.map((row) => row.node_id)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    });

    it('prunes an execution with its node executions, and leaves its children in place', async () => {
      const parent = await newExecution('COMPLETED');
      const { rows } = await sql(
        `INSERT INTO node_executions (execution_id, node_id, block, status) VALUES ($1, 'run', 'agent.run', 'COMPLETED') RETURNING id`,
        [parent],
      );
      const child = await newExecution('COMPLETED', { parent_id: parent });
      await sql(`UPDATE executions SET parent_node_execution_id = $2 WHERE id = $1`, [child, rows[0].id]);
      await sql(`DELETE FROM executions WHERE id = $1`, [parent]);
      expect((await sql(`SELECT 1 FROM node_executions WHERE execution_id = $1`, [parent])).rowCount).toBe(0);
      const kept = await sql(`SELECT parent_id, parent_node_execution_id FROM executions WHERE id = $1`, [child]);
      expect(kept.rows).toEqual([{ parent_id: null, parent_node_execution_id: null }]);
    });
  });

  describe('credits', () => {
    beforeAll(async () => {
      await sql(`INSERT INTO users (id, handle) VALUES ('u2', 'bob')`);
      await sql(`INSERT INTO credit_balances (user_id, balance) VALUES ('u2', 100)`);
    });

    it('refuses a negative balance', async () => {
      const refused = await refusal(sql(`UPDATE credit_balances SET balance = -1 WHERE user_id = 'u2'`));
      expect(refused).toMatchObject({ code: '23514', constraint: 'credit_balances_balance_check' });
      expect((await sql(`SELECT balance FROM credit_balances WHERE user_id = 'u2'`)).rows).toEqual([{ balance: '100' }]);
    });

    it('never goes below zero under concurrent charges: exactly the charges that fit succeed', async () => {
      const charges = await Promise.allSettled(
        Array.from({ length: 10 }, () => sql(`UPDATE credit_balances SET balance = balance - 30 WHERE user_id = 'u2' RETURNING balance`)),
      );
      const fulfilled = charges.filter((charge) => charge.status === 'fulfilled');
      const rejected = charges.filter((charge): charge is PromiseRejectedResult => charge.status === 'rejected');
      expect(fulfilled).toHaveLength(3);
      expect(rejected.map((charge) => (charge.reason as pg.DatabaseError).constraint)).toEqual(Array(7).fill('credit_balances_balance_check'));
      expect((await sql(`SELECT balance FROM credit_balances WHERE user_id = 'u2'`)).rows).toEqual([{ balance: '10' }]);
    });

    const usage = (nodeExecutionId: string, attempt: number | null, type = 'USAGE', amount = -5) =>
      sql(
        `INSERT INTO credit_transactions (user_id, type, amount, running_balance, node_execution_id, attempt, block) VALUES ('u2', $3, $4, 5, $1, $2, 'http.request')`,
        [nodeExecutionId, attempt, type, amount],
      );

    it('charges a node attempt once: a second USAGE for the same (node execution, attempt) is refused', async () => {
      const node = randomUUID();
      await usage(node, 1);
      expect(await refusal(usage(node, 1))).toMatchObject({ code: '23505', constraint: 'credit_transactions_usage_key' });
      await usage(node, 2);
      await usage(node, 1, 'REFUND', 5);
      expect(await refusal(usage(node, 1, 'REFUND', 5))).toMatchObject({ code: '23505', constraint: 'credit_transactions_refund_key' });
      const { rows } = await sql(`SELECT type, attempt FROM credit_transactions WHERE node_execution_id = $1 ORDER BY id`, [node]);
      expect(rows).toEqual([
        { type: 'USAGE', attempt: 1 },
        { type: 'USAGE', attempt: 2 },
        { type: 'REFUND', attempt: 1 },
      ]);
    });

    it('refuses a USAGE without its attempt, and amounts of the wrong sign', async () => {
      expect(await refusal(usage(randomUUID(), null))).toMatchObject({ constraint: 'credit_transactions_attempt_check' });
      expect(await refusal(usage(randomUUID(), 1, 'USAGE', 5))).toMatchObject({ constraint: 'credit_transactions_amount_check' });
      expect(await refusal(usage(randomUUID(), 1, 'GRANT', -5))).toMatchObject({ constraint: 'credit_transactions_amount_check' });
    });

    it('lets grants and top-ups without a node execution repeat', async () => {
      for (let i = 0; i < 2; i++) {
        await sql(`INSERT INTO credit_transactions (user_id, type, amount, running_balance, reason) VALUES ('u2', 'GRANT', 10, 20, 'welcome')`);
      }
      expect((await sql(`SELECT count(*)::int AS n FROM credit_transactions WHERE reason = 'welcome'`)).rows).toEqual([{ n: 2 }]);
    });
  });

  describe('webhook deliveries', () => {
    const deliver = (client: pg.Pool | pg.PoolClient, scope: string, key: string) =>
      client.query(`INSERT INTO webhook_deliveries (scope, key, body_hash, expires_at) VALUES ($1, $2, 'sha256:abc', now() + interval '24 hours')`, [
        scope,
        key,
      ]);

    it('refuses a second delivery with the same (scope, key), and accepts the key in another scope', async () => {
      await deliver(pool, 'webhook:demo/hook', 'key-1');
      expect(await refusal(deliver(pool, 'webhook:demo/hook', 'key-1'))).toMatchObject({ code: '23505', constraint: 'webhook_deliveries_pkey' });
      await deliver(pool, 'webhook:demo/other', 'key-1');
      await deliver(pool, 'github', 'key-1');
    });

    it('makes concurrent duplicates collide: the second waits for the first and is refused when it commits', async () => {
      const first = await pool.connect();
      const second = await pool.connect();
      let failed = false;
      try {
        const { rows } = await second.query('SELECT pg_backend_pid() AS pid');
        await first.query('BEGIN');
        await deliver(first, 'github', 'delivery-42');
        const duplicate = refusal(deliver(second, 'github', 'delivery-42'));
        await waitFor(
          () => sql(`SELECT count(*)::int AS n FROM pg_locks WHERE pid = $1 AND NOT granted`, [rows[0].pid]),
          (result) => result.rows[0].n > 0,
          { what: 'the duplicate insert to wait for the first transaction' },
        );
        await first.query('COMMIT');
        expect(await duplicate).toMatchObject({ code: '23505', constraint: 'webhook_deliveries_pkey' });
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        // A connection left inside a transaction must not go back to the pool.
        first.release(failed);
        second.release(failed);
      }
    });
  });

  describe('schedules and jobs', () => {
    it('records one fire per (schedule, time)', async () => {
      const fire = () => sql(`INSERT INTO schedule_fires (schedule_key, scheduled_for) VALUES ('trigger:demo/nightly', '2030-01-01T00:00:00Z')`);
      await fire();
      expect(await refusal(fire())).toMatchObject({ code: '23505', constraint: 'schedule_fires_pkey' });
    });

    it('keeps one trigger schedule per graph and node, while ad-hoc schedules may repeat', async () => {
      const trigger = () => sql(`INSERT INTO schedules (kind, graph_id, node_id, cron) VALUES ('trigger', 'demo', 'nightly', '0 0 * * *')`);
      await trigger();
      expect(await refusal(trigger())).toMatchObject({ code: '23505', constraint: 'schedules_graph_id_node_id_key' });
      for (let i = 0; i < 2; i++) await sql(`INSERT INTO schedules (kind, graph_id, cron, user_id) VALUES ('adhoc', 'demo', '*/5 * * * *', 'u1')`);
      expect(await refusal(sql(`INSERT INTO schedules (kind, graph_id, cron) VALUES ('adhoc', 'demo', '* * * * *')`))).toMatchObject({
        constraint: 'schedules_adhoc_user_check',
      });
    });

    it('keeps one durable job per (queue, dedupe key)', async () => {
      const job = (key: string | null) => sql(`INSERT INTO durable_jobs (queue, name, dedupe_key) VALUES ('delays', 'resume', $1)`, [key]);
      await job('node:1');
      expect(await refusal(job('node:1'))).toMatchObject({ code: '23505', constraint: 'durable_jobs_queue_dedupe_key_key' });
      await job(null);
      await job(null);
    });
  });

  it('refuses a graph id that is not an agent name', async () => {
    const refused = await refusal(sql(`INSERT INTO graphs (id, source, active_version, latest_version) VALUES ('Bad_Name', 'api', 1, 1)`));
    expect(refused).toMatchObject({ code: '23514', constraint: 'graphs_id_check' });
  });
});
