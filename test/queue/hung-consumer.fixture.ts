// A consumer in a process of its own whose handler never ends: the contract suite kills it with SIGKILL
// to lose a consumer mid-job for real. `node --import ./test/agents/fixtures/register-ts.mjs
// test/queue/hung-consumer.fixture.ts <postgres|bullmq> <queue> <database url | redis url> <prefix> <lease ms>`
import pino from 'pino';
import { createRedis } from '../../src/common/redis.js';
import { createDataSource } from '../../src/database/data-source.js';
import { BullMqQueue } from '../../src/queue/bullmq-queue.js';
import type { DurableQueue } from '../../src/queue/durable-queue.types.js';
import { PostgresQueue } from '../../src/queue/postgres-queue.js';

const [driver, name, url, prefix, lease] = process.argv.slice(2) as [string, string, string, string, string];
const settings = { leaseMs: Number(lease), maxAttempts: 3 };
const logger = pino({ level: 'silent' });
let queue: DurableQueue<unknown>;
if (driver === 'postgres') {
  const dataSource = createDataSource({ url, poolSize: 2 });
  await dataSource.initialize();
  queue = new PostgresQueue(name, dataSource, settings, logger);
} else {
  queue = new BullMqQueue(name, { connection: createRedis(url), workerConnection: () => createRedis(url), prefix }, settings, logger);
}
await queue.consume(
  async (job) => {
    process.stdout.write(`delivered ${JSON.stringify(job.data)}\n`);
    await new Promise(() => undefined);
  },
  { concurrency: 1 },
);
process.stdout.write('consuming\n');
