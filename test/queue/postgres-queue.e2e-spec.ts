// The DurableQueue contract against real Postgres, in a database of its own; a lost consumer is a child
// process killed with SIGKILL (hung-consumer.fixture.ts).
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { openDataSource } from '../../src/entities.js';
import { PostgresQueue } from '../../src/queue/postgres-queue.js';
import { durableQueueContract, type TestJob } from '../../src/queue/durable-queue.contract.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startHungConsumer } from './hung-consumer.js';

// A handler that threw is tried again after 100ms (1 s by default): the contract's retry needs no second of waiting.
const RETRY_BACKOFF_MS = 100;
const LEASE_MS = 600;

durableQueueContract('postgres', () => {
  let database: TestDatabase | null = null;
  let dataSource: DataSource | null = null;
  const source = async () => {
    if (!dataSource) {
      database = await createTestDatabase('pgqueue');
      dataSource = openDataSource({ url: database.url, poolSize: 6 });
      await dataSource.initialize();
    }
    return dataSource;
  };
  return {
    leaseMs: LEASE_MS,
    async open(name) {
      return new PostgresQueue<TestJob>(
        name,
        await source(),
        { leaseMs: LEASE_MS, maxAttempts: 3, retryBackoffMs: RETRY_BACKOFF_MS },
        pino({ level: 'silent' }),
      );
    },
    hungConsumer: (queue) => startHungConsumer({ driver: 'postgres', queue, url: database!.url, leaseMs: LEASE_MS }),
    async teardown() {
      if (dataSource?.isInitialized) await dataSource.destroy();
      await database?.drop();
    },
  };
});
