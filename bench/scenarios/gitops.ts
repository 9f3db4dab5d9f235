// GitOps at 10,000 agents: a repository of 10,000 agent files (synced into a fresh database first, not
// timed as feedback), then a pull request that changes every one of them, answered as a GitHub App would
// (check run and comment) against the local GitHub API server backed by the bare repository. Counts the
// GitHub API requests of the feedback and times it; the plan must show 10,000 updates and nothing removed.
// Budgets from issue 18: under 10 s; at most 5 requests for the check run alone (comment mode adds two).
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import pg from 'pg';
import { pino } from 'pino';
import { agentsServices } from '../../src/agents/agents-services.js';
import { loadConfig } from '../../src/config/config.loader.js';
import { GitopsConnection } from '../../src/triggers/gitops/gitops-connection.js';
import { GitopsPullsService } from '../../src/triggers/gitops/gitops-pulls.service.js';
import { GitopsRepository } from '../../src/triggers/gitops/gitops.repository.js';
import { benchDatabase } from '../database.js';
import { FakeGithub } from '../github-api.js';
import type { Figure, Scenario } from './index.js';
import { generatedAgent } from './sync.js';

const AGENTS = 10_000;

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  }).trim();

function writeAgents(dir: string, variant: number, count = AGENTS): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) writeFileSync(join(dir, `agent-${i}.yaml`), generatedAgent(i, variant));
}

/**
 * With BENCH_CPU_PROFILE=<file>, the first feedback's CPU profile is written there (open it in Chrome's
 * DevTools or speedscope): the sync before it would drown it in a whole-process --cpu-prof.
 */
async function profiled<T>(work: () => Promise<T>): Promise<T> {
  // With BENCH_PERF_CTL=<fifo>, `perf stat --delay=-1 --control fifo:<fifo>` counts the first feedback alone (instructions do not drift with the load).
  const perf = process.env.BENCH_PERF_CTL;
  if (perf) writeFileSync(perf, 'enable\n');
  try {
    return await profiledCpu(work);
  } finally {
    if (perf) writeFileSync(perf, 'disable\n');
  }
}

async function profiledCpu<T>(work: () => Promise<T>): Promise<T> {
  const file = process.env.BENCH_CPU_PROFILE;
  if (!file) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

/** SQL statements sent by every pg client of this process while `work` runs. */
async function countingStatements<T>(work: () => Promise<T>): Promise<{ result: T; statements: number }> {
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = prototype.query;
  let statements = 0;
  prototype.query = function (this: unknown, ...args: unknown[]) {
    statements++;
    return query.apply(this, args);
  };
  try {
    return { result: await work(), statements };
  } finally {
    prototype.query = query;
  }
}

/** User + system CPU time of a process.cpuUsage() difference, in ms (the machine is shared: wall time alone misleads). */
function cpuMillis(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

export const gitopsScenario: Scenario = {
  name: 'gitops',
  description: `pull-request feedback (check run + comment) for a pull request changing all of ${AGENTS} agent files, through the Git trees API`,
  async run(say) {
    const root = mkdtempSync(join(tmpdir(), 'trellis-bench-gitops-'));
    const database = await benchDatabase('gitops');
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const bare = join(root, 'origin.git');
    git(root, 'init', '--quiet', '--bare', 'origin.git');
    const github = new FakeGithub('acme/agents', bare, {}, { id: 1, slug: 'trellis-bench', publicKey, installationId: 1 });
    try {
      const author = join(root, 'author');
      git(root, 'init', '--quiet', 'author');
      writeAgents(join(author, 'agents'), 0);
      git(author, 'add', '--all');
      git(author, 'commit', '--quiet', '-m', `${AGENTS} agents`);
      const base = git(author, 'rev-parse', 'HEAD');
      git(author, 'push', '--quiet', bare, 'HEAD:refs/heads/main');
      git(root, 'clone', '--quiet', '--branch', 'main', bare, 'server');
      writeAgents(join(author, 'agents'), 1);
      git(author, 'commit', '--quiet', '--all', '-m', 'change every agent');
      const head = git(author, 'rev-parse', 'HEAD');
      git(author, 'push', '--quiet', bare, 'HEAD:refs/pull/1/head');
      github.pulls.set(1, { number: 1, state: 'open', head: { sha: head, ref: 'feature' }, base: { sha: base, ref: 'main' } });
      const baseUrl = await github.listen();
      say(`${AGENTS} agent files committed to ${bare}; the pull request changes all of them`);

      await database.dataSource.query(`INSERT INTO users (id, handle, role) VALUES ('admin', 'admin', 'admin')`);
      const config = loadConfig({
        env: { ...process.env, TRELLIS_ENV: 'test', AGENTS_DIR: join(root, 'server', 'agents'), REDIS_URL: '' },
        overrides: {
          gitops: {
            repository: 'acme/agents',
            folder: 'agents',
            pr_feedback: 'both',
            app_id: '1',
            app_private_key: privateKey.export({ type: 'pkcs1', format: 'pem' }),
          },
          integrations: { github: { base_url: baseUrl } },
        },
      });
      const { plans, syncs } = agentsServices(database.dataSource, config);
      const seeded = performance.now();
      const synced = await syncs.sync({ trigger: 'cli' });
      if (synced.summary.create !== AGENTS) throw new Error(`expected ${AGENTS} agents created, got ${JSON.stringify(synced.summary)}`);
      say(`main synced into the database in ${Math.round(performance.now() - seeded)} ms`);

      const pulls = new GitopsPullsService(plans, new GitopsConnection(config), new GitopsRepository(database.dataSource), config, pino({ level: 'silent' }));
      const before = github.requests.length;
      const started = performance.now();
      const cpu = process.cpuUsage();
      const { result: outcome, statements } = await countingStatements(() => profiled(() => pulls.feedback(1)));
      const ms = performance.now() - started;
      const cpuMs = cpuMillis(process.cpuUsage(cpu));
      const requests = github.requests.slice(before);
      const summary = github.checkRuns[0]?.output.summary ?? '';
      if (!outcome.handled || !summary.includes(`**${AGENTS} to update**, 0 unchanged`) || summary.includes('to remove'))
        throw new Error(`the plan is not ${AGENTS} updates and nothing removed: ${JSON.stringify(outcome)} ${summary.slice(0, 400)}`);
      const once = requests.filter((r) => r.path.startsWith('/app') || r.path.endsWith('/installation')).length;
      const comment = requests.filter((r) => r.path.includes('/issues/')).length;
      const check = requests.length - once - comment;
      say(`requests: ${requests.map((r) => `${r.method} ${r.path.replace('/repos/acme/agents', '')}`).join(', ')}`);

      // The next push to the pull request changes 10 files: blobs already read are not read again.
      writeAgents(join(author, 'agents'), 2, 10);
      git(author, 'commit', '--quiet', '--all', '-m', 'change ten agents');
      const next = git(author, 'rev-parse', 'HEAD');
      git(author, 'push', '--quiet', '--force', bare, 'HEAD:refs/pull/1/head');
      github.pulls.set(1, { number: 1, state: 'open', head: { sha: next, ref: 'feature' }, base: { sha: base, ref: 'main' } });
      const again = performance.now();
      const nextCpu = process.cpuUsage();
      await pulls.feedback(1);
      const nextMs = performance.now() - again;
      const nextCpuMs = cpuMillis(process.cpuUsage(nextCpu));

      const figures: Figure[] = [
        { label: `feedback for a PR changing ${AGENTS} agent files`, value: ms, unit: 'ms', budget: 10_000 },
        { label: '  of which CPU time of this process', value: cpuMs, unit: 'ms' },
        { label: '  SQL statements', value: statements, unit: 'statements' },
        { label: 'GitHub API requests for the check run', value: check, unit: 'requests', budget: 5 },
        { label: 'GitHub API requests for the comment', value: comment, unit: 'requests' },
        { label: 'GitHub App requests (once per process)', value: once, unit: 'requests' },
        { label: 'feedback after a push changing 10 of them', value: nextMs, unit: 'ms' },
        { label: '  of which CPU time of this process', value: nextCpuMs, unit: 'ms' },
      ];
      return figures;
    } finally {
      await github.close();
      await database.drop();
      rmSync(root, { recursive: true, force: true });
    }
  },
};
