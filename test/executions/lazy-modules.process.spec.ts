// What the server's module graph loads: the LLM SDKs, nodemailer and the OpenAPI parser are heavy (~4 MB of
// source, ~11 MB of heap after boot) and load on the first call that needs them, not with the application
// module; undici (~220 modules) with the first outbound request, ioredis and BullMQ (~360) with the first Redis
// connection and queue on Redis (REDIS_URL set). And what `trellis start` loads before it starts the database
// (src/main.js's graph): no Nest, which loads while Postgres boots. Run on the build in a child process that
// records every module it loads (one child for every test).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { ensureBuilt, ROOT } from '../helpers/built.js';

const LAZY = ['openai', '@anthropic-ai/sdk', 'nodemailer', '@scalar/openapi-parser', 'undici', 'ioredis', 'bullmq'];
/** What src/main.js must not load: the application module's frameworks. */
const APPLICATION = ['@nestjs/core', '@nestjs/common', 'typeorm'];

interface Loaded {
  /** The packages of APPLICATION loaded once src/main.js (the server's entry, before it starts) was imported. */
  withTheEntry: string[];
  /** The packages of LAZY loaded once the application module was imported. */
  withTheApp: string[];
  /** The packages of LAZY loaded after `then` ran too. */
  afterThen: string[];
}

/**
 * The packages of LAZY one child loaded after importing the application module, and after then running `then`:
 * one child for both (importing the module graph is most of its CPU).
 */
async function loadedPackages(then: string): Promise<Loaded> {
  // Every module the child loads, through the module hooks of its Node: registerHooks (22.15+) in the thread,
  // else register (20.6+), whose hooks run in a loader thread and post each URL back; a 'flush' answered by
  // that thread (messages keep their order) says every URL before it has arrived.
  const script = `
    import * as mod from 'node:module';
    import { MessageChannel } from 'node:worker_threads';
    const urls = [];
    let flush = async () => {};
    if (mod.registerHooks) {
      mod.registerHooks({ load(url, context, next) { urls.push(url); return next(url, context); } });
    } else {
      const { port1, port2 } = new MessageChannel();
      let flushed;
      port1.on('message', (message) => (message === 'flushed' ? flushed() : urls.push(message)));
      flush = () => new Promise((resolve) => { flushed = resolve; port1.postMessage('flush'); });
      const hooks = "let port; export function initialize(data) { port = data.port; port.on('message', () => port.postMessage('flushed')); port.unref(); }" +
        " export async function load(url, context, next) { port.postMessage(url); return next(url, context); }";
      mod.register('data:text/javascript,' + encodeURIComponent(hooks), { data: { port: port2 }, transferList: [port2] });
    }
    // Node 20's hooks do not see require() (ioredis, BullMQ); the CommonJS cache holds what it loaded.
    const loaded = (names = ${JSON.stringify(LAZY)}) =>
      names.filter((name) => [...urls, ...Object.keys(mod.Module._cache)].some((url) => url.includes('/node_modules/' + name + '/')));
    await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/src/main.js')).href)});
    await flush();
    const withTheEntry = loaded(${JSON.stringify(APPLICATION)});
    await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/src/app.module.js')).href)});
    await flush();
    const withTheApp = loaded();
    ${then}
    await flush();
    console.log(JSON.stringify({ withTheEntry, withTheApp, afterThen: loaded() }));
    process.exit(0);
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Loaded;
}

const dist = (path: string) => JSON.stringify(pathToFileURL(join(ROOT, 'dist/src', path)).href);

describe("the server's module graph", () => {
  let loaded: Loaded;
  beforeAll(async () => {
    await ensureBuilt();
    const folder = mkdtempSync(join(tmpdir(), 'trellis-lazy-'));
    writeFileSync(join(folder, 'api.json'), JSON.stringify({ openapi: '3.0.3', info: { title: 'tiny', version: '1' }, paths: {} }));
    loaded = await loadedPackages(`
      await (await import(${dist('blocks/library/ai/llm-sdks.js')})).llmSdks();
      await (await import(${dist('notifications/notification.senders.js')})).sendEmail({ host: '127.0.0.1', port: 1, secure: false }, ['a@b.invalid'], { kind: 'k', title: 't', body: 'b', data: {} }, 'smtp').catch(() => undefined);
      await (await import(${dist('blocks/openapi/openapi-document.js')})).loadOperations({ name: 'tiny', openapi: 'api.json' }, ${JSON.stringify(folder)}, 'tiny.yaml');
      const { OutboundHttp } = await import(${dist('blocks/outbound/outbound-http.js')});
      await new OutboundHttp({ allowPrivateAddresses: true, maxResponseBytes: 1024 }).fetch('http://127.0.0.1:1/').catch(() => undefined);
      const redis = (await import(${dist('common/redis.js')})).createRedis('redis://127.0.0.1:1', { lazyConnect: true });
      const { BullMqQueue } = await import(${dist('queue/bullmq-queue.js')});
      new BullMqQueue('lazy', { connection: redis, workerConnection: () => redis, prefix: 'lazy' }, { leaseMs: 1000, maxAttempts: 1, retryBackoffMs: 100 }, console);
      redis.disconnect();
    `).finally(() => rmSync(folder, { recursive: true, force: true }));
  }, 600_000);

  it('loads no Nest nor TypeORM before trellis start starts the database (src/main.js, its entry)', () => {
    expect(loaded.withTheEntry).toEqual([]);
  });

  it('does not load the LLM SDKs, nodemailer, the OpenAPI parser, undici, ioredis or BullMQ', () => {
    expect(loaded.withTheApp).toEqual([]);
  });

  it('loads each when a block or a sender first needs it', () => {
    expect(loaded.afterThen).toEqual(LAZY);
  });
});
