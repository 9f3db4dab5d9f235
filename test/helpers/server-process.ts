// Process tests start the built server (`node dist/src/main.js --role ...`, as users do) beside a test app, on
// the app's database and queue prefix: a worker killed with -9 and another started, or replicas of one cluster.
// One helper for what they share: the environment, capturing stdout, kill -9 awaited, and no child left over.
import { spawn, type ChildProcess } from 'node:child_process';
import { createTestApp, type TestApp, type TestAppOptions } from './app.js';
import { ensureBuilt, SERVER_MAIN } from './built.js';
import { TEST_REDIS_URL } from './queue.js';
import { waitFor } from './wait.js';

export interface ServerTarget {
  database: { url: string };
  config: { queuePrefix: string };
}

export interface ServerProcessOptions {
  /** The app whose database and queue prefix the processes use (a TestApp). */
  app: ServerTarget;
  /** Default REDIS_URL: the machine's test Redis. */
  redisUrl?: string;
  /** Default LOG_LEVEL: 'warn'. */
  logLevel?: string;
  /** More environment (TRELLIS_EXECUTOR__LEASE, TRELLIS_ADMIN_API_KEY, ...), for every process of the set. */
  env?: Record<string, string>;
  /** Keep stdout in output() (a replica's "listening on" line); otherwise dropped. */
  captureStdout?: boolean;
  /** Where stderr goes: the test's (default: a crash shows in the jest output) or nowhere. */
  stderr?: 'inherit' | 'ignore';
}

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly role: 'api' | 'worker' | 'all';
  /** Its stdout so far (empty unless captureStdout). */
  output(): string;
  /** Whether it has exited (or was killed). */
  exited(): boolean;
  /** kill -9, resolved once it has died. */
  kill(): Promise<void>;
}

/** Builds dist/ if a source is newer (call in beforeAll, with its long time limit, before the app boots). */
export const ensureServerBuilt: () => Promise<void> = ensureBuilt;

/** The server processes of one test file; killAll() in afterAll. */
export class ServerProcesses {
  private readonly started: ServerProcess[] = [];
  /** Processes started with an environment of their own (sole() does not reuse them). */
  private readonly ownEnv = new Set<ServerProcess>();

  constructor(private readonly options: ServerProcessOptions) {}

  /** Every process started, in order. */
  get all(): readonly ServerProcess[] {
    return this.started;
  }

  /** Starts `node dist/src/main.js --role <role>`; `env` adds to (or overrides) the set's environment. */
  start(role: 'api' | 'worker' | 'all', env: Record<string, string> = {}): ServerProcess {
    const { app, redisUrl = TEST_REDIS_URL, logLevel = 'warn', captureStdout = false, stderr = 'inherit' } = this.options;
    const child = spawn(process.execPath, [SERVER_MAIN, '--role', role], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        TRELLIS_ENV: 'test',
        DATABASE_URL: app.database.url,
        REDIS_URL: redisUrl,
        TRELLIS_QUEUE_PREFIX: app.config.queuePrefix,
        PORT: '0',
        LOG_LEVEL: logLevel,
        ...this.options.env,
        ...env,
      },
      stdio: ['ignore', captureStdout ? 'pipe' : 'ignore', stderr],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    let failed = false; // not started at all (an 'error' event, no exit): nothing to kill
    child.once('error', (error) => {
      failed = true;
      output += `could not start: ${error.message}\n`;
    });
    const exited = () => failed || child.exitCode !== null || child.signalCode !== null;
    const server: ServerProcess = {
      child,
      role,
      output: () => output,
      exited,
      kill: async () => {
        if (!exited()) child.kill('SIGKILL');
        await waitFor(exited, Boolean, { what: `the ${role} process (pid ${child.pid}) to die` });
      },
    };
    this.started.push(server);
    if (Object.keys(env).length > 0) this.ownEnv.add(server);
    return server;
  }

  /**
   * Exactly one running process of `role` and none other: the one left running by an earlier test when it is
   * the only process still running (a boot saved: ~2 s of CPU per server process), else a fresh one after
   * kill -9 of the rest. For a test that needs a single process to hold its work (the one it then kills), not a
   * fresh one: a recovery test's second worker has just finished that test's execution, so it is up and
   * consuming. A process started with an `env` of its own is never reused.
   */
  async sole(role: 'api' | 'worker' | 'all'): Promise<ServerProcess> {
    const running = this.started.filter((server) => !server.exited());
    const reusable = running.length === 1 && running[0]!.role === role && !this.ownEnv.has(running[0]!);
    if (reusable) return running[0]!;
    await this.killAll();
    return this.start(role);
  }

  /** kill -9 of every process still running, resolved once all have died. */
  async killAll(): Promise<void> {
    await Promise.all(this.started.map((server) => server.kill()));
  }
}

/**
 * An api-role test app (real Redis unless `app` says otherwise) and the server processes of its file, the first
 * worker booting beside the app (createTestApp's beforeBoot) instead of after it: a recovery test's first worker.
 */
export async function apiAppWithWorker(
  app: TestAppOptions,
  processes: Omit<ServerProcessOptions, 'app'>,
): Promise<{ t: TestApp; workers: ServerProcesses; firstWorker: ServerProcess }> {
  let workers: ServerProcesses | undefined;
  let firstWorker: ServerProcess | undefined;
  try {
    const t = await createTestApp({
      redis: true,
      role: 'api',
      ...app,
      beforeBoot: (target) => {
        workers = new ServerProcesses({ ...processes, app: target });
        firstWorker = workers.start('worker');
      },
    });
    return { t, workers: workers!, firstWorker: firstWorker! };
  } catch (error) {
    await workers?.killAll();
    throw error;
  }
}
