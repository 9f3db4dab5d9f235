// Sync at start-up: api and all roles sync the folder before serving; a failing sync is logged and the
// server starts anyway with the graphs as they were.
import { afterEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import request from 'supertest';
import { AgentsSyncOnStart } from '../../src/agents/agents-sync.startup.js';
import { connect, createTestDatabase } from '../helpers/database.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { agentText, removeFolder, servicesFor, tempFolder, testConfig, writeFile } from './sync-helpers.js';

// One describe around the whole file: its hooks stay its own when it runs in a bundle (test/bundles).
describe('sync at start-up, per role', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function appWith(dir: string, options: { syncOnStart?: boolean; role?: 'api' | 'worker' | 'all' } = {}): Promise<TestApp> {
    const t = await createTestApp({
      label: 'syncstart',
      // An admin key of our own, so the start does not print a new one.
      env: { AGENTS_DIR: dir, TRELLIS_ADMIN_API_KEY: 'test-admin-key-0123456789' },
      overrides: { gitops: { sync_on_start: options.syncOnStart ?? true } },
      ...(options.role ? { role: options.role } : {}),
    });
    cleanup.push(() => t.close());
    return t;
  }

  const graphIds = async (t: TestApp): Promise<string[]> => (await t.dataSource.query(`SELECT id FROM graphs ORDER BY id`)).map((row: { id: string }) => row.id);

  describe('sync at start-up', () => {
    it('syncs the agents folder before the server serves (invalid files skipped)', async () => {
      const dir = tempFolder('start');
      cleanup.push(() => removeFolder(dir));
      writeFile(dir, 'greeter.yaml', agentText('greeter'));
      writeFile(dir, 'nested/other.yaml', agentText('other'));
      writeFile(dir, 'broken.yaml', 'name: broken\nnodes: {}\n');
      const t = await appWith(dir);
      expect(await graphIds(t)).toEqual(['greeter', 'other']);
      const [state] = await t.dataSource.query(`SELECT synced_by, summary FROM agent_sync_state`);
      expect(state.synced_by).toContain('(start)');
      expect(state.summary).toMatchObject({ created: ['greeter', 'other'], invalid: ['broken'] });
    });

    it('does not sync when gitops.sync_on_start is off, nor in the worker role', async () => {
      const dir = tempFolder('start');
      cleanup.push(() => removeFolder(dir));
      writeFile(dir, 'greeter.yaml', agentText('greeter'));
      expect(await graphIds(await appWith(dir, { syncOnStart: false }))).toEqual([]);
      expect(await graphIds(await appWith(dir, { role: 'worker' }))).toEqual([]);
    });

    it('starts without an agents folder', async () => {
      const t = await appWith('/nonexistent/agents-folder');
      await request(t.http).get('/health').expect(200);
      expect(await graphIds(t)).toEqual([]);
    });

    it('logs a sync that fails and lets the start go on', async () => {
      const database = await createTestDatabase('syncfail');
      cleanup.push(() => database.drop());
      const dataSource = await connect(database.url);
      const dir = tempFolder('start');
      cleanup.push(() => removeFolder(dir));
      writeFile(dir, 'greeter.yaml', agentText('greeter'));
      const services = servicesFor(dataSource, dir);
      // The database goes away under the sync: a real failure, not a stand-in.
      await dataSource.destroy();
      const lines: Array<Record<string, unknown>> = [];
      const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
      await expect(new AgentsSyncOnStart(services.syncs, testConfig(dir, { TRELLIS_GITOPS__SYNC_ON_START: 'true' }), logger).onApplicationBootstrap()).resolves.toBeUndefined();
      expect(lines).toEqual([expect.objectContaining({ level: 50, msg: expect.stringContaining('could not be synced at start-up') })]);
    });

    it('logs a missing folder as a warning, not an error', async () => {
      const database = await createTestDatabase('syncwarn');
      cleanup.push(() => database.drop());
      const dataSource = await connect(database.url);
      cleanup.push(() => dataSource.destroy());
      const lines: Array<Record<string, unknown>> = [];
      const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
      const config = testConfig('/nonexistent/agents', { TRELLIS_GITOPS__SYNC_ON_START: 'true' });
      await new AgentsSyncOnStart(servicesFor(dataSource, '/nonexistent/agents').syncs, config, logger).onApplicationBootstrap();
      expect(lines).toEqual([expect.objectContaining({ level: 40, msg: expect.stringContaining('does not exist') })]);
    });
  });
});
