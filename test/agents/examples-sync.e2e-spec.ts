// The example agents as `npm start` syncs them: the repository's agents/ folder (agents/examples/ included)
// against a fresh database and the shipped config/ (credentials.yaml names slack-bot): every file is created,
// none is invalid, and each created agent shows its credits per run.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import type { AgentsServices } from '../../src/agents/agents-sync.command.js';
import { connect, createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { servicesFor } from './sync-helpers.js';

// One describe around the whole file: its hooks stay its own when it runs in a bundle (test/bundles).
describe('the example agents, synced', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let services: AgentsServices;

  beforeAll(async () => {
    database = await createTestDatabase('examplesync');
    dataSource = await connect(database.url);
    await dataSource.query(`INSERT INTO users (id, handle, role) VALUES ('admin-id', 'admin', 'admin')`);
    services = servicesFor(dataSource, resolve('agents'));
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('plans every file as a new agent, none invalid, each with its credits per run', async () => {
    const plan = await services.plans.plan();
    expect(plan.agents.filter((e) => e.action === 'invalid').map((e) => [e.name, e.problems.map((p) => p.message)])).toEqual([]);
    expect(plan.agents.filter((e) => e.file?.startsWith('examples/')).map((e) => [e.name, e.action, e.cost])).toEqual([
      ['issue-to-slack', 'create', { before: null, after: { min: 0, max: 1 } }],
      ['one-at-a-time', 'create', { before: null, after: { min: 0, max: 0 } }],
      ['signup-form', 'create', { before: null, after: { min: 0, max: 1 } }],
      ['weekly-report', 'create', { before: null, after: { min: 2, max: 4 } }],
    ]);
  });
});
