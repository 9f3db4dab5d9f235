// The container files, checked without a Docker engine (none runs here): the Dockerfile's commands are the
// package's scripts, its entry exists after the build and runs as the image would (role from TRELLIS_ROLE,
// the compose file's variables, the test Postgres and Redis) until its HEALTHCHECK passes; compose.yaml
// names only variables the config loader reads, and a compose client accepts it when one is installed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/config.loader.js';
import { envOf, instructionsOf, parseDockerfile, type Stage } from './dockerfile.js';
import { composeClient, importedPackages, resolveComposeEnv, startImage, type RunningImage } from './container-run.js';
import { ensureBuilt } from '../helpers/built.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { clearQueuePrefix, TEST_REDIS_URL, testQueuePrefix } from '../helpers/queue.js';

const ROOT = process.cwd();
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
const { stages } = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const build = stages.find((stage) => stage.name === 'build')!;
const runtime = stages.at(-1)!;
const compose = parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, { environment?: Record<string, string>; volumes?: string[]; command?: string[]; image?: string; build?: string }>;
};
const runs = (stage: Stage) => instructionsOf(stage, 'RUN').map((run) => run.args);
const entry = instructionsOf(runtime, 'CMD').at(-1)!.exec!;
const SLOW = 300_000;

describe('Dockerfile', () => {
  it("builds with the package's build script and installs only production dependencies at run time", () => {
    expect(stages.map((stage) => stage.name)).toEqual(['build', 'runtime']);
    expect(runs(build)).toEqual(['npm install --no-audit --no-fund', 'npm run build']);
    expect(pkg.scripts.build).toBe('node scripts/build.mjs');
    // The build script and what it compiles are in the build stage.
    expect(instructionsOf(build, 'COPY').map((copy) => copy.args)).toEqual(
      expect.arrayContaining([
        'tsconfig.json tsconfig.build.json ./',
        'scripts/build.mjs scripts/vendor-bundles.mjs ./scripts/',
        'src ./src',
        'migrations ./migrations',
      ]),
    );
    expect(runs(runtime)).toContain('npm install --omit=dev --no-audit --no-fund && npm cache clean --force');
    expect(
      instructionsOf(runtime, 'COPY')
        .filter((copy) => copy.flags.from)
        .map((copy) => copy.args),
    ).toEqual(['/app/dist ./dist']);
  });

  it('starts with the command `npm start` runs, as a user that is not root', () => {
    // npm start also builds dist/ first when a source changed (--build-if-stale); the image has the build stage's.
    expect([...entry, '--build-if-stale']).toEqual(pkg.scripts.start!.split(/\s+/));
    const users = instructionsOf(runtime, 'USER').map((user) => user.args);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    const order = runtime.instructions.map((instruction) => instruction.op);
    expect(order.lastIndexOf('USER')).toBeLessThan(order.lastIndexOf('CMD'));
  });

  it('checks health on /health, keeps agents and config as volumes and defaults to role all', () => {
    const health = instructionsOf(runtime, 'HEALTHCHECK')[0]!;
    expect(health.exec?.[0]).toBe('node');
    expect(health.exec!.join(' ')).toMatch(/\/health'\)/);
    const env = envOf(runtime);
    expect(env).toMatchObject({ TRELLIS_ROLE: 'all', AGENTS_DIR: '/app/agents', TRELLIS_CONFIG_DIR: '/app/config', PORT: '3000' });
    expect(JSON.parse(instructionsOf(runtime, 'VOLUME')[0]!.args)).toEqual(['/app/agents', '/app/config']);
  });

  it('copies only files that exist, none of them excluded by .dockerignore', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const stage of stages) {
      for (const copy of instructionsOf(stage, 'COPY').filter((c) => !c.flags.from)) {
        const sources = copy.args.split(/\s+/).slice(0, -1);
        for (const source of sources) {
          expect({ source, exists: existsSync(join(ROOT, source)), ignored: ignored.includes(source) }).toEqual({ source, exists: true, ignored: false });
        }
      }
    }
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.trellis', '.git', '.env']));
  });
});

describe('compose.yaml', () => {
  const trellisServices = ['api', 'worker'] as const;

  it('has api, worker, Postgres and Redis that never evicts, with the agents folder mounted where the image reads it', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'postgres', 'redis', 'worker']);
    expect(compose.services.redis!.command!.join(' ')).toContain('--maxmemory-policy noeviction');
    for (const name of trellisServices) {
      const service = compose.services[name]!;
      expect(service.build).toBe('.');
      expect(service.environment!.TRELLIS_ROLE).toBe(name);
      expect(service.volumes).toContain(`./agents:${envOf(runtime).AGENTS_DIR}:ro`);
      expect(service.environment!.DATABASE_URL).toMatch(/@postgres:5432\//);
      expect(service.environment!.REDIS_URL).toBe('redis://redis:6379');
    }
  });

  it('names only environment variables the config loader reads, or the README lists as system default credentials', () => {
    const read = new Set<string>();
    const key = randomBytes(32).toString('base64');
    for (const trellisEnv of ['development', 'production']) {
      const env = new Proxy({ TRELLIS_ENV: trellisEnv, TRELLIS_ENCRYPTION_KEY: key } as NodeJS.ProcessEnv, {
        get: (target, name) => (typeof name === 'string' && read.add(name), target[name as string]),
      });
      loadConfig({ env, cwd: ROOT });
    }
    // System default credentials (OPENAI_API_KEY...) are read where the blocks resolve credentials.
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const systemDefaults = readme
      .split('\n')
      .filter((line) => line.includes('system default credentials'))
      .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]!));
    expect(systemDefaults).toEqual(expect.arrayContaining(['OPENAI_API_KEY', 'ANTHROPIC_API_KEY']));
    for (const name of systemDefaults) read.add(name);
    for (const name of trellisServices) {
      const names = Object.keys(compose.services[name]!.environment!);
      expect({ service: name, unread: names.filter((n) => !read.has(n)) }).toEqual({ service: name, unread: [] });
      expect(names).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'TRELLIS_ROLE', 'TRELLIS_ENCRYPTION_KEY', 'TRELLIS_ENV', 'PORT']));
    }
  });

  it('is accepted by a compose client, which refuses it without TRELLIS_ENCRYPTION_KEY', () => {
    const client = composeClient();
    if (!client) {
      console.warn('SKIPPED: no compose client here (neither `docker compose` nor `docker-compose`); compose.yaml was checked by parsing only.');
      return;
    }
    const key = randomBytes(32).toString('base64');
    const ok = spawnSync(client[0]!, [...client.slice(1), '-f', 'compose.yaml', 'config'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, TRELLIS_ENCRYPTION_KEY: key },
    });
    expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: '' });
    const resolved = parse(ok.stdout) as typeof compose;
    expect(resolved.services.api!.environment).toMatchObject({ TRELLIS_ROLE: 'api', TRELLIS_ENCRYPTION_KEY: key });
    expect(resolved.services.worker!.environment).toMatchObject({ TRELLIS_ROLE: 'worker', TRELLIS_ENCRYPTION_KEY: key });
    const missing = spawnSync(client[0]!, [...client.slice(1), '-f', 'compose.yaml', 'config'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('set TRELLIS_ENCRYPTION_KEY (make one with: openssl rand -base64 32)');
  }, 60_000);
});

describe("the image's entry command, run directly", () => {
  let database: TestDatabase;
  let image: RunningImage | null = null;
  const prefix = testQueuePrefix('container');

  beforeAll(async () => {
    await ensureBuilt(); // `npm run build`, the build stage's command, when a source is newer than dist/
    database = await createTestDatabase('container');
  }, SLOW);

  afterAll(async () => {
    await image?.stop();
    await database?.drop();
    await clearQueuePrefix(prefix);
  });

  it('finds its script in dist after the build, importing production dependencies only', () => {
    expect(existsSync(join(ROOT, entry[1]!))).toBe(true);
    const imported = importedPackages(join(ROOT, 'dist', 'src'));
    expect(imported).toEqual(expect.arrayContaining(['@nestjs/core', 'bullmq', 'reflect-metadata', 'typeorm']));
    expect(imported.filter((name) => !(name in pkg.dependencies))).toEqual([]);
  });

  it(
    "serves role api from TRELLIS_ROLE with compose's variables, passes its HEALTHCHECK, logs no route line nor deprecation and stops cleanly",
    async () => {
      const composed = resolveComposeEnv(compose.services.api!.environment!, { TRELLIS_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
      // Compose's hostnames (postgres, redis) stand for the test's servers; the prefix keeps this run apart.
      const env = { ...composed, DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, TRELLIS_QUEUE_PREFIX: prefix };
      image = await startImage({ root: ROOT, runtime, env });
      expect(await image.healthcheck()).toBe(0);
      const ready = await fetch(`${image.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(image.log()).toContain('as role \\"api\\"');
      expect(image.log()).not.toMatch(/RouterExplorer|RoutesResolver|Mapped \{/);
      // The start-up sync reconciles the schedules of several agents in one transaction: one query at a time.
      expect(image.log()).toContain('agents synced at start-up');
      expect(image.log()).not.toContain('DeprecationWarning');
      expect(await image.stop()).toBe(0);
      expect(await image.healthcheck()).not.toBe(0);
    },
    SLOW,
  );
});
