// Executions per second of a 5-node agent (input, three parallel json.query, output) in queue mode: one
// process, real Postgres and Redis, every node execution persisted. Started through the execute API.
// The 50 clients run in a child process (bench/load-client.ts): the CPU and resident-memory figures are the server's.
import { BENCH_ADMIN_KEY, round, scaled, startBenchServer } from '../engine-harness.js';
import { fiveNodeAgent, ORDER } from './engine-agents.js';
import { backendCpu, breakdown, claimedAtAdmission, countIo, rowWrites, total } from '../io-count.js';
import { submitFromChildProcess } from '../load-client.js';
import { watchPeakRss } from '../memory.js';

const EXECUTIONS = 10_000;
/** Requests in flight while submitting (like 50 client connections). */
const CLIENTS = 50;
const N8N_QUEUE_TUNED_PER_S = 82;
const ROW_TABLES = ['executions', 'node_executions'];

export default {
  name: 'throughput',
  description: `executions/s of a 5-node agent, ${EXECUTIONS.toLocaleString('en')} executions, queue mode, one process`,
  async run(say: (line: string) => void): Promise<Record<string, number | string>> {
    const count = scaled(EXECUTIONS);
    const server = await startBenchServer('throughput');
    try {
      await server.createAgent(fiveNodeAgent('bench-five'));
      // Warm up the path (compiled graph caches, connections) before measuring.
      await server.execute('bench-five', { order: ORDER }, '10s');
      await server.sql.query(`DELETE FROM executions WHERE graph_id = 'bench-five'`);
      const cpuBefore = process.cpuUsage();
      const pgBefore = await backendCpu(server.sql);
      const writesBefore = await rowWrites(server.sql, ROW_TABLES);
      const io = countIo();
      const peakRss = watchPeakRss();
      const load = await submitFromChildProcess({
        url: `${server.url}/api/graphs/bench-five/execute`,
        headers: { 'content-type': 'application/json', 'x-api-key': BENCH_ADMIN_KEY },
        body: JSON.stringify({ inputs: { order: ORDER } }),
        count,
        concurrency: CLIENTS,
      });
      if (load.failed) throw new Error(`${load.failed} of ${count} submissions failed; the first: ${load.firstError}`);
      const { failed, errors } = await server.waitFinished('bench-five', count, 30 * 60_000);
      const finished = Date.now();
      const rssMb = peakRss.stop();
      const counts = io.stop();
      const cpu = process.cpuUsage(cpuBefore);
      const started = load.startedAt;
      const submitted = load.finishedAt;
      const pgCpu = (await backendCpu(server.sql)) - pgBefore;
      // The statistics reach pg_stat_user_tables within a second of each transaction.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const writesAfter = await rowWrites(server.sql, ROW_TABLES);
      const perExecution = (table: string, kind: 'inserted' | 'updated') =>
        round(((writesAfter[table]?.[kind] ?? 0) - (writesBefore[table]?.[kind] ?? 0)) / count, 2);
      if (process.env.BENCH_IO_DETAIL) {
        say(`SQL statements per execution:\n${breakdown(counts.sql, count)}`);
        say(`Redis commands per execution:\n${breakdown(counts.redis, count)}`);
      }
      const { rows } = await server.sql.query<{ nodes: string; completed: string }>(
        `SELECT count(*) AS nodes, count(*) FILTER (WHERE n.status = 'COMPLETED') AS completed FROM node_executions n JOIN executions e ON e.id = n.execution_id WHERE e.graph_id = 'bench-five'`,
      );
      const seconds = (finished - started) / 1000;
      return {
        executions: count,
        failed,
        ...(errors.length ? { first_error: JSON.stringify(errors[0]) } : {}),
        node_executions_persisted: Number(rows[0]!.nodes),
        node_executions_completed: Number(rows[0]!.completed),
        submit_per_s: round(count / ((submitted - started) / 1000)),
        executions_per_s: round(count / seconds),
        // LESSONS.md, measured on this machine: n8n 2.41 queue mode, tuned, ~82 executions/s.
        ratio_vs_n8n_queue_tuned: `x${round(count / seconds / N8N_QUEUE_TUNED_PER_S, 1)}`,
        node_executions_per_s: round(Number(rows[0]!.completed) / seconds),
        // Run at once by the admitting process's worker, without a hand-over or a claim UPDATE.
        claimed_at_admission_percent: await claimedAtAdmission(server.sql, 'bench-five'),
        seconds: round(seconds, 2),
        // CPU, not wall time: comparable across runs on a loaded machine (the server's alone since the clients moved out).
        process_cpu_s_per_1000: round((cpu.user + cpu.system) / 1e6 / (count / 1000), 2),
        postgres_cpu_s_per_1000: round(pgCpu / (count / 1000), 2),
        sql_statements_per_execution: round(total(counts.sql) / count, 2),
        redis_commands_per_execution: round(total(counts.redis) / count, 2),
        // What Postgres writes per execution (each update is a new row version, its index entries and WAL).
        node_execution_rows_inserted_per_execution: perExecution('node_executions', 'inserted'),
        node_execution_rows_updated_per_execution: perExecution('node_executions', 'updated'),
        execution_rows_updated_per_execution: perExecution('executions', 'updated'),
        peak_rss_mb: rssMb,
        heap_used_mb_at_end: round(process.memoryUsage().heapUsed / 1024 / 1024),
      };
    } finally {
      await server.close();
    }
  },
};
