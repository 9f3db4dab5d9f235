// The plan against a real database: add, change, remove, invalid and pinned at once, as JSON and as
// the Markdown a reviewer reads; planning writes nothing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import type { AgentsServices } from '../../src/agents/agents-sync.command.js';
import { renderPlanMarkdown } from '../../src/agents/agents-plan.render.js';
import { GraphsRepository } from '../../src/graphs/graphs.repository.js';
import { connect, createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { agentText, countRows, removeFile, removeFolder, servicesFor, tempFolder, writeFile } from './sync-helpers.js';

// One describe around the whole file: its hooks stay its own when it runs in a bundle (test/bundles).
describe('trellis plan against a database', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let dir: string;
  let services: AgentsServices;

  beforeAll(async () => {
    database = await createTestDatabase('plan');
    dataSource = await connect(database.url);
    await dataSource.query(`INSERT INTO users (id, handle, role) VALUES ('admin-id', 'admin', 'admin')`);
    dir = tempFolder('plan');
    services = servicesFor(dataSource, dir);
    for (const name of ['changing', 'leaving', 'breaking', 'held', 'steady']) writeFile(dir, `${name}.yaml`, agentText(name, { webhook: name === 'changing' }));
    await services.syncs.sync();
    await new GraphsRepository(dataSource).setVersions('held', { active_version: 1, pinned_version: 1 });

    writeFile(dir, 'arriving.yaml', agentText('arriving'));
    writeFile(
      dir,
      'changing.yaml',
      agentText('changing', { template: 'Hi {{ who }}', webhook: true, nodes: ['  shout:', '    block: text.template', '    inputs: { template: "HEY" }'], links: ['  - shout.text -> greeting.value'] }).replace('inputs: { methods: [POST] }', 'inputs: { methods: [POST, PUT] }'),
    );
    removeFile(dir, 'leaving.yaml');
    writeFile(dir, 'breaking.yaml', agentText('breaking').replace('  - greet.text -> greeting.value\n', '  - greet.nope -> greeting.value\n'));
    writeFile(dir, 'held.yaml', agentText('held', { description: 'changed while pinned' }));
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
    removeFolder(dir);
  });

  describe('plan', () => {
    it('lists every agent with its action, and writes nothing', async () => {
      const before = [await countRows(dataSource, 'graphs'), await countRows(dataSource, 'graph_versions')];
      const plan = await services.plans.plan();
      expect(plan.agents.map((e) => [e.name, e.action, e.version, e.active_version])).toEqual([
        ['arriving', 'create', 1, 1],
        ['breaking', 'invalid', 1, 1],
        ['changing', 'update', 2, 2],
        ['held', 'pinned', 2, 1],
        ['leaving', 'remove', 1, null],
        ['steady', 'unchanged', 1, 1],
      ]);
      expect(plan.summary).toEqual({ create: 1, update: 1, pinned: 1, unchanged: 1, remove: 1, invalid: 1 });
      expect([await countRows(dataSource, 'graphs'), await countRows(dataSource, 'graph_versions')]).toEqual(before);
    });

    it('describes updates: nodes, links and triggers added, removed and changed', async () => {
      const plan = await services.plans.plan();
      const changing = plan.agents.find((e) => e.name === 'changing')!;
      expect(changing.changes).toEqual({
        nodes: {
          added: [{ node: 'shout', block: 'text.template' }],
          removed: [],
          changed: [{ node: 'greet', block: 'text.template', changes: ['inputs.template: "Hello, {{ who }}!" → "Hi {{ who }}"'] }],
        },
        triggers: { added: [], removed: [], changed: [{ node: 'hook', block: 'trigger.webhook', changes: ['inputs.methods: ["POST"] → ["POST","PUT"]'] }] },
        links: { added: ['shout.text -> greeting.value'], removed: [] },
        settings: [],
      });
      expect(plan.agents.find((e) => e.name === 'held')!.changes!.settings).toEqual(['description changed']);
      const breaking = plan.agents.find((e) => e.name === 'breaking')!;
      expect(breaking.problems).toEqual([expect.objectContaining({ line: 15, column: 5, severity: 'error', message: expect.stringContaining('"nope"') })]);
    });

    it('renders the Markdown a reviewer reads in a pull request', async () => {
      const text = renderPlanMarkdown(await services.plans.plan());
      expect(text).toContain('**1 to create, 1 to update, 1 pinned, 1 to remove, 1 invalid**, 1 unchanged.');
      for (const row of [
        '| `arriving` | create | v1 | `arriving.yaml` |',
        '| `changing` | update | v1 → v2 | `changing.yaml` |',
        '| `held` | pinned | v2 recorded; v1 stays active | `held.yaml` |',
        '| `leaving` | remove | v1 deactivated | `leaving.yaml` |',
        '| `breaking` | invalid | v1 stays active | `breaking.yaml` |',
      ]) {
        expect(text).toContain(row);
      }
      expect(text).toContain('**Triggers**\n\n- changed `hook` (trigger.webhook): inputs.methods: ["POST"] → ["POST","PUT"]');
      expect(text).toContain('**Nodes**\n\n- added `shout` (text.template)');
      expect(text).toContain('**Links**\n\n- added `shout.text -> greeting.value`');
      expect(text).toMatch(/> pinned to version 1: version 2 is recorded but not activated/);
      expect(text).toContain('<details><summary>1 unchanged agent</summary>\n\n`steady`');
    });

    it('is what sync then applies', async () => {
      const planned = await services.plans.plan();
      const applied = await services.syncs.sync();
      expect(applied.agents).toEqual(planned.agents);
      expect((await services.plans.plan()).summary).toEqual({ create: 0, update: 0, pinned: 0, unchanged: 4, remove: 0, invalid: 1 });
    });
  });
});
