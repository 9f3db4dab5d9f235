// The DurableQueue contract against real Postgres: each queue opened here has a DataSource of its own, so
// that `crash` can cut one consumer off the database as a killed process would be.
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source.js';
import { PostgresQueue } from '../../src/queue/postgres-queue.js';
import { durableQueueContract, type TestJob } from '../../src/queue/durable-queue.contract.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const LEASE_MS = 600;

durableQueueContract('postgres', () => {
  let database: Promise<TestDatabase> | null = null;
  const sources: DataSource[] = [];
  return {
    leaseMs: LEASE_MS,
    async open(name) {
      database ??= createTestDatabase('pgqueue');
      const dataSource = createDataSource({ url: (await database).url, poolSize: 4 });
      await dataSource.initialize();
      sources.push(dataSource);
      const queue = new PostgresQueue<TestJob>(name, dataSource, { leaseMs: LEASE_MS, maxAttempts: 3 }, pino({ level: 'silent' }));
      return { queue, crash: () => dataSource.destroy() };
    },
    async teardown() {
      for (const source of sources) if (source.isInitialized) await source.destroy();
      if (database) await (await database).drop();
    },
  };
});
