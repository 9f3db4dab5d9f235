// 1,000 executions each parked in time.delay: the worker's memory while they wait (WAITING holds no
// slot, so it should cost rows, not memory), and how long parking them took.
import { megabytes, pooled, round, scaled, startBenchServer } from '../engine-harness.js';
import { waitingAgent } from './engine-agents.js';

const EXECUTIONS = 1_000;

async function settledRss(): Promise<number> {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200));
  return process.memoryUsage().rss;
}

export default {
  name: 'waiting',
  description: `${EXECUTIONS.toLocaleString('en')} executions parked in time.delay: worker RSS (one process)`,
  async run(): Promise<Record<string, number | string>> {
    const count = scaled(EXECUTIONS);
    const server = await startBenchServer('waiting');
    try {
      await server.createAgent(waitingAgent('bench-waiting', '1h'));
      const idle = await settledRss();
      const started = performance.now();
      await pooled(count, 50, async () => {
        await server.execute('bench-waiting', {});
      });
      const deadline = Date.now() + 10 * 60_000;
      let waiting = 0;
      while (waiting < count) {
        const { rows } = await server.sql.query<{ n: string }>(`SELECT count(*) AS n FROM node_executions WHERE node_id = 'wait' AND status = 'WAITING'`);
        waiting = Number(rows[0]!.n);
        if (Date.now() > deadline) throw new Error(`only ${waiting} of ${count} executions reached WAITING within 10 minutes`);
        if (waiting < count) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const parkedSeconds = (performance.now() - started) / 1000;
      const parked = await settledRss();
      const { rows } = await server.sql.query<{ status: string; n: string }>(
        `SELECT status, count(*) AS n FROM executions WHERE graph_id = 'bench-waiting' GROUP BY status ORDER BY status`,
      );
      return {
        executions: count,
        waiting_nodes: waiting,
        execution_statuses: rows.map((r) => `${r.status}=${r.n}`).join(' '),
        seconds_to_park_all: round(parkedSeconds, 2),
        rss_idle_mb: megabytes(idle),
        rss_parked_mb: megabytes(parked),
        rss_per_waiting_execution_kb: round((parked - idle) / count / 1024, 2),
        heap_used_mb: megabytes(process.memoryUsage().heapUsed),
      };
    } finally {
      await server.close();
    }
  },
};
