// Credits per run in the plan (release-2.md section 5): each created or changed agent's before and after, in
// the JSON plan and in the Markdown `trellis plan` prints (the pull-request comment and check run carry it).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { planCommand, type AgentsServices } from '../../src/agents/agents-sync.command.js';
import { connect, createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { capture } from './fixtures/cli.js';
import { agentText, removeFolder, servicesFor, tempFolder, writeFile } from './sync-helpers.js';

const FETCH = (retry: string) => ['  fetch:', '    block: http.request', '    inputs: { url: "https://rows.example.com/rows" }', `    retry: ${retry}`];
const EACH_POST = ['  each:', '    block: list.iterate', '  post:', '    block: http.request', '    inputs: { url: "https://rows.example.com/rows", method: POST }'];

// One describe around the whole file: its hooks stay its own when it runs in a bundle (test/bundles).
describe('credits per run in the plan', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let dir: string;
  let services: AgentsServices;

  beforeAll(async () => {
    database = await createTestDatabase('plancost');
    dataSource = await connect(database.url);
    await dataSource.query(`INSERT INTO users (id, handle, role) VALUES ('admin-id', 'admin', 'admin')`);
    dir = tempFolder('plancost');
    services = servicesFor(dataSource, dir);
    writeFile(dir, 'pricier.yaml', agentText('pricier', { nodes: FETCH('{ attempts: 3, delay: 1s }'), links: ['  - greet.text -> fetch.body'] }));
    writeFile(dir, 'steady.yaml', agentText('steady'));
    await services.syncs.sync();
    // pricier: a fan-out of paid calls after the fetch; fresh: new, one paid call.
    writeFile(
      dir,
      'pricier.yaml',
      agentText('pricier', { nodes: [...FETCH('{ attempts: 3, delay: 1s }'), ...EACH_POST], links: ['  - greet.text -> fetch.body', '  - fetch.json -> each.items', '  - each.item -> post.json'] }),
    );
    writeFile(dir, 'fresh.yaml', agentText('fresh', { nodes: FETCH('{ attempts: 1, delay: 1s }'), links: ['  - greet.text -> fetch.body'] }));
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
    removeFolder(dir);
  });

  it('gives each created and changed agent its credits per run, before (null when new) and after; none for the unchanged', async () => {
    const plan = await services.plans.plan();
    expect(plan.agents.map((e) => [e.name, e.action, e.cost])).toEqual([
      ['fresh', 'create', { before: null, after: { min: 1, max: 1 } }],
      ['pricier', 'update', { before: { min: 1, max: 3 }, after: { min: 1, max: null } }],
      ['steady', 'unchanged', undefined],
    ]);
  });

  it('trellis plan prints them as a table, before → after', async () => {
    const c = capture(process.cwd());
    expect(await planCommand(dir, 'markdown', c.io, services)).toBe(0);
    expect(c.out()).toContain(
      [
        '**Credits per run**, before → after (least to most; `trellis analyze <agent>` shows each node)',
        '',
        '| agent | before | after |',
        '|---|---|---|',
        '| `fresh` | new | 1 |',
        '| `pricier` | 1 to 3 | 1 to unbounded |',
        '',
      ].join('\n'),
    );
  });

  it('leaves changes and credits out past detailsUpTo new versions (a pull request too large for its check), and plans the same', async () => {
    const folder = services.plans.readFolder(dir);
    const whole = (await services.plans.planFolder(folder, null)).plan;
    const brief = (await services.plans.planFolder(folder, null, undefined, 1)).plan;
    expect(brief.agents.map((e) => [e.name, e.action, e.version, e.cost, e.changes])).toEqual(whole.agents.map((e) => [e.name, e.action, e.version, undefined, null]));
    expect(whole.agents.find((e) => e.name === 'pricier')!.changes).not.toBeNull();
    expect((await services.plans.planFolder(folder, null, undefined, 2)).plan).toEqual(whole);
  });
});
