// OpenAPI integrations synced with the agents (release-2.md section 5), against a real Postgres: a version
// recorded when an integration changes (operations added, changed, removed), shown by the plan; a change
// that removes or breaks an operation an agent uses is the integration's error and keeps its last good
// blocks; the running registry serves what the sync accepted.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { agentsServices, type AgentsServices } from '../../../src/agents/agents-services.js';
import { renderPlanMarkdown } from '../../../src/agents/agents-plan.render.js';
import { syncCommand } from '../../../src/agents/agents-sync.command.js';
import { capture } from '../../agents/fixtures/cli.js';
import { IntegrationAwareRegistry, loadIntegrationCatalog } from '../../../src/blocks/integrations/integration-blocks.js';
import { BLOCK_LIBRARY } from '../../../src/blocks/library/index.js';
import { connect, createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { lines, removeFile, removeFolder, tempFolder, testConfig, writeFile } from '../../agents/sync-helpers.js';

/** A small OpenAPI 3.1 document: the listed operations of /pets. */
function petsDocument(options: { remove?: boolean; summary?: string; limitRequired?: boolean; extra?: boolean } = {}): string {
  return lines(
    'openapi: 3.1.0',
    'info: { title: Pets, version: "1" }',
    'paths:',
    '  /pets:',
    '    get:',
    '      operationId: listPets',
    `      summary: ${options.summary ?? 'List pets'}`,
    `      parameters: [{ name: limit, in: query, required: ${options.limitRequired ? 'true' : 'false'}, schema: { type: integer } }]`,
    '      responses: { "200": { description: ok } }',
    '  /pets/{id}:',
    '    parameters: [{ name: id, in: path, required: true, schema: { type: string } }]',
    '    get:',
    '      operationId: getPet',
    '      responses: { "200": { description: ok } }',
    ...(options.remove ? [] : ['    delete:', '      operationId: deletePet', '      responses: { "204": { description: gone } }']),
    ...(options.extra ? ['    patch:', '      operationId: renamePet', '      responses: { "200": { description: ok } }'] : []),
  );
}

const INTEGRATION = lines('name: pets', 'openapi: docs/pets.yaml', 'base_url: https://pets.example.com');

/** An agent with one node of `block` (its inputs given), fed by nothing. */
function agentUsing(name: string, block: string, inputs = '{ id: rex }'): string {
  return lines(
    'name: ' + name,
    'nodes:',
    '  call:',
    `    block: ${block}`,
    `    inputs: ${inputs}`,
    '  out:',
    '    block: output',
    '    inputs: { name: status }',
    'links:',
    '  - call.status -> out.value',
  );
}

describe('integrations synced with the agents', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let dir: string;
  let registry: IntegrationAwareRegistry;
  let services: AgentsServices;

  beforeAll(async () => {
    database = await createTestDatabase('integrations_sync');
    dataSource = await connect(database.url);
    await dataSource.query(`INSERT INTO users (id, handle, role) VALUES ('admin-id', 'admin', 'admin')`);
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  beforeEach(async () => {
    await dataSource.query(`TRUNCATE graphs, agent_sync_state, integration_versions CASCADE`);
    dir = tempFolder('integrations-sync');
    writeFile(dir, 'integrations/pets.yaml', INTEGRATION);
    writeFile(dir, 'integrations/docs/pets.yaml', petsDocument());
    writeFile(dir, 'agents/.keep', '');
    // As the server builds it: the library and the integrations folder as it was at start-up.
    const config = testConfig(join(dir, 'agents'));
    registry = new IntegrationAwareRegistry(BLOCK_LIBRARY, await loadIntegrationCatalog(config.integrationsDir, BLOCK_LIBRARY), config.costs);
    services = agentsServices(dataSource, config, registry);
  });

  afterEach(() => removeFolder(dir));

  const sync = () => services.syncs.sync({ trigger: 'cli' });
  const versions = async () =>
    (await dataSource.query(
      `SELECT name, version, removed, jsonb_array_length(operations) AS operations FROM integration_versions ORDER BY name, version`,
    )) as Array<{
      name: string;
      version: number;
      removed: boolean;
      operations: number;
    }>;

  it('records version 1 with its operations, then a new version only when the integration changes, as the plan says', async () => {
    writeFile(dir, 'agents/fetch-pet.yaml', agentUsing('fetch-pet', 'pets.get_pet'));
    const first = await sync();
    expect(first.integrations).toEqual([
      expect.objectContaining({
        name: 'pets',
        action: 'create',
        version: 1,
        previous_version: null,
        operations: { added: ['pets.delete_pet', 'pets.get_pet', 'pets.list_pets'], changed: [], removed: [] },
        problems: [],
      }),
    ]);
    expect(first.agents).toEqual([expect.objectContaining({ name: 'fetch-pet', action: 'create' })]);
    expect(await versions()).toEqual([{ name: 'pets', version: 1, removed: false, operations: 3 }]);

    expect((await sync()).integrations[0]).toMatchObject({ action: 'unchanged', version: 1 });
    expect(await versions()).toHaveLength(1);

    writeFile(dir, 'integrations/docs/pets.yaml', petsDocument({ summary: 'Every pet', extra: true }));
    const plan = await services.plans.plan();
    expect(plan.integrations[0]).toMatchObject({
      action: 'update',
      version: 2,
      previous_version: 1,
      operations: { added: ['pets.rename_pet'], changed: ['pets.list_pets'], removed: [] },
    });
    const markdown = renderPlanMarkdown(plan);
    expect(markdown).toContain('| `pets` | update | v1 → v2 | +1 ~1 -0 |');
    expect(markdown).toContain('- added `pets.rename_pet`');
    expect(await versions()).toHaveLength(1); // a plan writes nothing
    await sync();
    expect(await versions()).toEqual([
      { name: 'pets', version: 1, removed: false, operations: 3 },
      { name: 'pets', version: 2, removed: false, operations: 4 },
    ]);
    expect(registry.get('pets.rename_pet')).toBeDefined(); // the running registry serves the new version
  });

  it('refuses to remove an operation an agent file uses: the integration keeps its last good blocks, the agent stays valid', async () => {
    writeFile(dir, 'agents/cleanup.yaml', agentUsing('cleanup', 'pets.delete_pet'));
    await sync();
    writeFile(dir, 'integrations/docs/pets.yaml', petsDocument({ remove: true, extra: true }));
    writeFile(dir, 'agents/cleanup.yaml', agentUsing('cleanup', 'pets.delete_pet', '{ id: felix }'));
    const result = await sync();
    const entry = result.integrations[0]!;
    expect(entry).toMatchObject({
      action: 'invalid',
      version: 1,
      operations: { removed: ['pets.delete_pet'], added: ['pets.rename_pet'] },
      notes: ['skipped: version 1 stays'],
    });
    expect(entry.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^removes operation pets\.delete_pet, which agent cleanup \(cleanup\.yaml\) uses/),
    ]);
    expect(entry.problems[0]!.file).toMatch(/integrations\/pets\.yaml$/);
    expect(result.agents).toEqual([expect.objectContaining({ name: 'cleanup', action: 'update', problems: [] })]);
    expect(await versions()).toHaveLength(1);
    expect(registry.get('pets.delete_pet')).toBeDefined();
    expect(registry.get('pets.rename_pet')).toBeUndefined();
    expect(renderPlanMarkdown(result)).toMatch(/removes operation pets\.delete_pet/);

    // The agent stops using it in the same change: the operation goes.
    writeFile(dir, 'agents/cleanup.yaml', agentUsing('cleanup', 'pets.get_pet'));
    const next = await sync();
    expect(next.integrations[0]).toMatchObject({ action: 'update', version: 2, operations: { removed: ['pets.delete_pet'] }, problems: [] });
    expect(registry.get('pets.delete_pet')).toBeUndefined();
  });

  it('rebuilds the last good blocks from the recorded version in a new process (a restart, the CLI)', async () => {
    writeFile(dir, 'agents/cleanup.yaml', agentUsing('cleanup', 'pets.delete_pet'));
    await sync();
    writeFile(dir, 'integrations/docs/pets.yaml', petsDocument({ remove: true }));
    writeFile(dir, 'agents/cleanup.yaml', agentUsing('cleanup', 'pets.delete_pet', '{ id: felix }'));
    // A server started on the new folder: its registry lacks the operation until its sync serves the recorded version.
    const config = testConfig(join(dir, 'agents'));
    const restarted = new IntegrationAwareRegistry(BLOCK_LIBRARY, await loadIntegrationCatalog(config.integrationsDir, BLOCK_LIBRARY), config.costs);
    expect(restarted.get('pets.delete_pet')).toBeUndefined();
    const result = await agentsServices(dataSource, config, restarted).syncs.sync({ trigger: 'start' });
    expect(result.integrations[0]).toMatchObject({ action: 'invalid', version: 1 });
    expect(result.agents[0]).toMatchObject({ name: 'cleanup', action: 'update', problems: [] });
    expect(restarted.get('pets.delete_pet')?.description).toMatch(/DELETE \/pets\/\{id\}/);
    // The CLI's services hold no integration blocks at all: the plan still validates against the recorded ones.
    const plan = await agentsServices(dataSource, config).plans.plan();
    expect(plan.agents[0]).toMatchObject({ name: 'cleanup', action: 'unchanged', problems: [] });
  });

  it('counts a pinned version as a user, and a newly required pin as a breaking change', async () => {
    writeFile(dir, 'agents/lister.yaml', agentUsing('lister', 'pets.list_pets', '{}'));
    await sync();
    await dataSource.query(`UPDATE graphs SET pinned_version = 1 WHERE id = 'lister'`);
    writeFile(dir, 'agents/lister.yaml', agentUsing('lister', 'pets.get_pet'));
    writeFile(dir, 'integrations/docs/pets.yaml', petsDocument({ limitRequired: true }));
    const result = await sync();
    expect(result.integrations[0]).toMatchObject({ action: 'invalid', operations: { changed: ['pets.list_pets'] } });
    expect(result.integrations[0]!.problems[0]!.message).toMatch(
      /changes \(method, path or input pins\) operation pets\.list_pets, which agent lister \(pinned version 1\) uses/,
    );
    expect(result.agents[0]).toMatchObject({ name: 'lister', action: 'pinned', version: 2 });
  });

  it('reports a broken integration at its line and column, keeps its last version and makes trellis sync exit 1; a file that goes unused is removed', async () => {
    await sync();
    writeFile(dir, 'integrations/pets.yaml', lines('name: pets', 'openapi: docs/pets.yaml', 'base_url: http://pets.example.com'));
    const broken = await sync();
    expect(broken.integrations[0]).toMatchObject({ name: 'pets', action: 'invalid', version: 1, notes: ['skipped: version 1 stays'] });
    expect(broken.integrations[0]!.problems[0]).toMatchObject({ line: 3, column: 11, message: expect.stringMatching(/base_url must be https/) });
    expect(registry.get('pets.get_pet')).toBeDefined();
    // `trellis sync` says so and exits 1, as for an invalid agent file.
    const cli = capture(dir);
    expect(await syncCommand(undefined, 'markdown', cli.io, services)).toBe(1);
    expect(cli.err()).toContain('integrations: pets invalid (last good version kept)');
    expect(cli.out()).toMatch(/\| `pets` \| invalid \| v1 stays \|/);

    removeFile(dir, 'integrations/pets.yaml');
    const gone = await sync();
    expect(gone.integrations[0]).toMatchObject({
      action: 'remove',
      version: 2,
      operations: { removed: ['pets.delete_pet', 'pets.get_pet', 'pets.list_pets'] },
    });
    expect(await versions()).toEqual([
      { name: 'pets', version: 1, removed: false, operations: 3 },
      { name: 'pets', version: 2, removed: true, operations: 0 },
    ]);
    expect(registry.get('pets.get_pet')).toBeUndefined();
  });

  it('validates agents against the folder: an agent naming an operation the document lacks is invalid', async () => {
    writeFile(dir, 'agents/wrong.yaml', agentUsing('wrong', 'pets.feed_pet'));
    const result = await sync();
    expect(result.agents[0]).toMatchObject({ name: 'wrong', action: 'invalid' });
    expect(JSON.stringify(result.agents[0]!.problems)).toContain('pets.feed_pet');
    expect(result.integrations[0]).toMatchObject({ action: 'create' });
  });
});
