// A consumer in a process of its own whose handler never ends: the contract suite kills it with SIGKILL
// to lose a consumer mid-job for real. It runs the built queue (process tests start the built program):
// `node test/queue/hung-consumer.fixture.mjs <postgres|bullmq> <queue> <database url | redis url> <prefix> <lease ms>`
// Each driver's modules only (imported when chosen): the entities and TypeORM alone take ~0.5 s to load.
import pino from 'pino';

const [driver, name, url, prefix, lease] = process.argv.slice(2);
const settings = { leaseMs: Number(lease), maxAttempts: 3, retryBackoffMs: 1_000 };
const logger = pino({ level: 'silent' });
let queue;
if (driver === 'postgres') {
  const [{ openDataSource }, { PostgresQueue }] = await Promise.all([import('../../dist/src/entities.js'), import('../../dist/src/queue/postgres-queue.js')]);
  const dataSource = openDataSource({ url, poolSize: 2 });
  await dataSource.initialize();
  queue = new PostgresQueue(name, dataSource, settings, logger);
} else {
  const [{ createRedis }, { BullMqQueue }] = await Promise.all([import('../../dist/src/common/redis.js'), import('../../dist/src/queue/bullmq-queue.js')]);
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
