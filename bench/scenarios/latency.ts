// p50/p99 from execute to COMPLETED on an idle server: one execution at a time through the execute API
// with ?wait= (client-measured), and the same from the rows (created_at to ended_at).
import { percentile, round, scaled, startBenchServer } from '../engine-harness.js';
import { fiveNodeAgent, ORDER } from './engine-agents.js';

const EXECUTIONS = 500;
const WARMUP = 20;
const N8N_QUEUE_TUNED_P99_MS = 800;

export default {
  name: 'latency',
  description: `p50/p99 execute -> COMPLETED of a 5-node agent on an idle server (${EXECUTIONS} runs, one at a time)`,
  async run(): Promise<Record<string, number | string>> {
    const count = scaled(EXECUTIONS);
    const server = await startBenchServer('latency');
    try {
      await server.createAgent(fiveNodeAgent('bench-latency'));
      for (let i = 0; i < WARMUP; i++) await server.execute('bench-latency', { order: ORDER }, '10s');
      await server.sql.query(`DELETE FROM executions WHERE graph_id = 'bench-latency'`);
      const client: number[] = [];
      let notCompleted = 0;
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        const answer = await server.execute('bench-latency', { order: ORDER }, '10s');
        client.push(performance.now() - started);
        if (answer.body.status !== 'COMPLETED') notCompleted++;
      }
      const { rows } = await server.sql.query<{ ms: number }>(
        `SELECT EXTRACT(EPOCH FROM (ended_at - created_at)) * 1000 AS ms FROM executions WHERE graph_id = 'bench-latency' AND status = 'COMPLETED'`,
      );
      const stored = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
      client.sort((a, b) => a - b);
      return {
        executions: count,
        not_completed_in_answer: notCompleted,
        p50_ms: round(percentile(client, 50), 2),
        p99_ms: round(percentile(client, 99), 2),
        max_ms: round(client[client.length - 1]!, 2),
        // LESSONS.md, measured on this machine: n8n 2.41 queue mode, tuned, p99 0.8 s (under load).
        p99_ratio_vs_n8n_queue_tuned: `x${round(N8N_QUEUE_TUNED_P99_MS / percentile(client, 99), 1)} faster`,
        stored_p50_ms: round(percentile(stored, 50), 2),
        stored_p99_ms: round(percentile(stored, 99), 2),
      };
    } finally {
      await server.close();
    }
  },
};
