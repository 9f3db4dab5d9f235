// 1,000 executions each parked on a human.review (release-2.md section 3): the worker's memory while they
// wait. A pending review holds no worker slot, so it should cost rows, not memory: the budget is 50 MB of
// worker memory for all of them (issue 13). The worker is a process of its own (`--role worker`) beside
// the api process that takes the requests, so its RSS counts the waits and not the HTTP traffic.
//
// What the budget applies to: the worker's RSS after a full garbage collection. Parking 1,000 executions at
// once leaves garbage in V8's old space and a grown new space; an idle worker allocates nothing, so no GC
// comes to collect them and the raw RSS keeps that high-water mark (17 to 70 MB here, depending on how
// loaded the machine was; a heap snapshot showed no object kept per parked execution). The worker is started
// with --expose-gc and a probe (written below) that collects and reports its memory on SIGUSR2; the raw RSS
// figures are still reported.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { megabytes, pooled, round, scaled, startBenchServer, type BenchServer } from '../engine-harness.js';
import type { Figure } from './index.js';

const EXECUTIONS = 1_000;
const BUDGET_MB = 50;

const reviewAgent = {
  name: 'bench-reviews',
  description: 'Bench: waits for a person to decide, without holding a worker slot.',
  nodes: {
    x: { block: 'input', inputs: { name: 'x', default: { order: 1, total: 99.5 } } },
    review: { block: 'human.review', inputs: { title: 'Ship this order?', body: 'A **bench** review.', timeout: '7d' } },
    out: { block: 'output', inputs: { name: 'approved' } },
  },
  links: ['x.value -> review.data', 'review.approved -> out.value'],
};

/** The process's resident memory, from /proc (Linux). */
function rssOf(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!line) throw new Error(`no VmRSS for process ${pid}`);
  return Number(line[1]) * 1024;
}

/** Preloaded into the worker: on SIGUSR2, full GCs, then its memory written to BENCH_GC_PROBE_OUT. */
const GC_PROBE = `const { writeFileSync, renameSync } = require('node:fs');
const out = process.env.BENCH_GC_PROBE_OUT;
const report = () => {
  writeFileSync(out + '.tmp', JSON.stringify(process.memoryUsage()));
  renameSync(out + '.tmp', out);
};
// Sweeping and giving pages back run on background threads after gc(): a second GC and a pause let them finish.
process.on('SIGUSR2', () => {
  global.gc();
  setTimeout(() => {
    global.gc();
    setTimeout(report, 2000);
  }, 2000);
});
`;

/** The worker's memory right after a full GC (asks the probe, waits for its answer, at most 30 s). */
async function afterGc(worker: ChildProcess, out: string): Promise<{ rss: number; heapUsed: number }> {
  rmSync(out, { force: true });
  worker.kill('SIGUSR2');
  const deadline = Date.now() + 30_000;
  while (!existsSync(out)) {
    if (Date.now() > deadline) throw new Error('the worker did not answer the GC probe within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return JSON.parse(readFileSync(out, 'utf8')) as { rss: number; heapUsed: number };
}

async function parkedCount(server: BenchServer): Promise<number> {
  const { rows } = await server.sql.query<{ n: string }>(
    `SELECT count(*) AS n FROM reviews r JOIN node_executions n ON n.id = r.node_execution_id JOIN executions e ON e.id = r.execution_id
     WHERE r.status = 'pending' AND n.status = 'WAITING' AND e.lease_owner IS NULL`,
  );
  return Number(rows[0]!.n);
}

async function untilParked(server: BenchServer, count: number, minutes: number): Promise<void> {
  const deadline = Date.now() + minutes * 60_000;
  for (let parked = await parkedCount(server); parked < count; parked = await parkedCount(server)) {
    if (Date.now() > deadline) throw new Error(`only ${parked} of ${count} executions parked on a review within ${minutes} minutes`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export default {
  name: 'reviews',
  description: `${EXECUTIONS.toLocaleString('en')} executions parked on human.review: RSS of the worker process, budget ${BUDGET_MB} MB`,
  async run(say: (line: string) => void): Promise<Figure[]> {
    const count = scaled(EXECUTIONS);
    // Pending reviews per agent are capped (default 100); the bench parks them all on one agent.
    const server = await startBenchServer('reviews', { TRELLIS_REVIEWS__MAX_PENDING_PER_AGENT: String(count * 2) }, 'api');
    const probeDir = mkdtempSync(join(tmpdir(), 'trellis-bench-gc-'));
    const probe = join(probeDir, 'probe.cjs');
    const probeOut = join(probeDir, 'memory.json');
    writeFileSync(probe, GC_PROBE);
    const worker = spawn(process.execPath, ['--expose-gc', '--require', probe, join(process.cwd(), 'dist', 'src', 'main.js'), '--role', 'worker'], {
      env: { ...process.env, ...server.worker.env, BENCH_GC_PROBE_OUT: probeOut },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    try {
      await server.createAgent(reviewAgent);
      // One execution first: the worker is up and has run every code path the others take.
      await server.execute('bench-reviews', {});
      await untilParked(server, 1, 2);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const idle = rssOf(worker.pid!);
      const idleCollected = await afterGc(worker, probeOut);
      const started = performance.now();
      await pooled(count, 50, async () => {
        await server.execute('bench-reviews', {});
      });
      await untilParked(server, count + 1, 10);
      const parkedSeconds = (performance.now() - started) / 1000;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const parked = rssOf(worker.pid!);
      say(`${count} more reviews pending, every execution parked, in ${round(parkedSeconds, 1)} s; letting the worker idle 30 s`);
      // Parking 1,000 at once leaves a high-water mark; V8 gives unused pages back when the process idles.
      await new Promise((resolve) => setTimeout(resolve, 30_000));
      const settled = rssOf(worker.pid!);
      const collected = await afterGc(worker, probeOut);
      const grown = Math.max(0, settled - idle);
      const kept = collected.rss - idleCollected.rss; // below zero when the startup heap shrank in the meantime
      return [
        { label: 'executions parked on a review', value: count + 1, unit: 'executions' },
        { label: 'seconds to park them', value: round(parkedSeconds, 2), unit: 's' },
        { label: 'worker RSS with one review pending', value: megabytes(idle), unit: 'MB' },
        { label: `worker RSS with ${count + 1} pending, just parked`, value: megabytes(parked), unit: 'MB' },
        { label: `worker RSS with ${count + 1} pending, 30 s later`, value: megabytes(settled), unit: 'MB' },
        { label: `worker RSS grown, garbage included`, value: megabytes(grown), unit: 'MB' },
        { label: 'worker RSS after a full GC, one review pending', value: megabytes(idleCollected.rss), unit: 'MB' },
        { label: `worker RSS after a full GC, ${count + 1} pending`, value: megabytes(collected.rss), unit: 'MB' },
        {
          label: `worker JS heap after a full GC grown for ${count} pending`,
          value: megabytes(Math.max(0, collected.heapUsed - idleCollected.heapUsed)),
          unit: 'MB',
        },
        { label: `worker memory kept for ${count} pending reviews (RSS after GC)`, value: megabytes(kept), unit: 'MB', budget: BUDGET_MB },
        { label: 'worker memory kept per pending review', value: round(kept / count / 1024, 2), unit: 'KB' },
      ];
    } finally {
      worker.kill('SIGTERM');
      await new Promise((resolve) => (worker.exitCode !== null ? resolve(undefined) : worker.once('exit', resolve)));
      await server.close();
      rmSync(probeDir, { recursive: true, force: true });
    }
  },
};
