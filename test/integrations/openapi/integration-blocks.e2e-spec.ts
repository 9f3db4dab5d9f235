// IntegrationBlocksService on a real Postgres, with the in-process event bus: what a process serves when the
// recorded versions are not what it expects. An event naming a version whose row is missing, and a version
// recorded without its definition (an older release), leave the blocks it has and make a missing block's
// node fail with that reason; an older event never takes an integration back; the library is never touched.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { DataSource } from 'typeorm';
import { storedOperation } from '../../../src/agents/agents-integrations.js';
import type { BlockContext, BlockLookup } from '../../../src/blocks/block.types.js';
import { IntegrationAwareRegistry, loadIntegrationCatalog } from '../../../src/blocks/integrations/integration-blocks.js';
import { BLOCK_LIBRARY } from '../../../src/blocks/library/index.js';
import type { IntegrationDefinition } from '../../../src/blocks/openapi/integration.types.js';
import { loadConfig } from '../../../src/config/config.loader.js';
import { MemoryEventBus } from '../../../src/executions/events/memory-event-bus.js';
import { IntegrationBlocksRepository } from '../../../src/integrations/integration-blocks.repository.js';
import { IntegrationBlocksService } from '../../../src/integrations/integration-blocks.service.js';
import { connect, createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { waitFor } from '../../helpers/wait.js';

// See openapi-integrations.spec.ts: jest's realm and the parser's plain-object check.
globalThis.structuredClone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const DOCUMENT = [
  'openapi: 3.1.0',
  'info: { title: Pets, version: "1" }',
  'paths:',
  '  /pets/{id}:',
  '    parameters: [{ name: id, in: path, required: true, schema: { type: string } }]',
  '    get: { operationId: getPet, responses: { "200": { description: ok } } }',
  '',
].join('\n');

/** A node of `block` only: what lookupFor reads of a graph. */
const graphOf = (block: string) => ({ nodes: { call: { block, inputs: {} } } });

async function failure(lookup: BlockLookup, id: string): Promise<{ code?: string; message: string }> {
  const block = lookup.get(id);
  if (!block) throw new Error(`no block at all for ${id}`);
  try {
    for await (const _ of block.run({}, {} as BlockContext)) void _;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error(`${id} ran`);
}

describe('integration blocks at their recorded versions', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let definition: IntegrationDefinition;
  let folder: string;
  let registry: IntegrationAwareRegistry;
  let bus: MemoryEventBus;
  let service: IntegrationBlocksService;

  const record = (name: string, version: number, stored: IntegrationDefinition | null, removed = false) =>
    dataSource.query(`INSERT INTO integration_versions (name, version, hash, file, removed, operations, definition) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      name,
      version,
      `hash-${version}`,
      `integrations/${name}.yaml`,
      removed,
      JSON.stringify(definition.operations.map(storedOperation)),
      stored && JSON.stringify(stored),
    ]);

  beforeAll(async () => {
    database = await createTestDatabase('integration_blocks');
    dataSource = await connect(database.url);
    folder = mkdtempSync(join(tmpdir(), 'trellis-integration-blocks-'));
    mkdirSync(join(folder, 'docs'));
    writeFileSync(join(folder, 'pets.yaml'), 'name: pets\nopenapi: docs/pets.yaml\nbase_url: https://pets.example.com\n');
    writeFileSync(join(folder, 'docs', 'pets.yaml'), DOCUMENT);
    const catalog = await loadIntegrationCatalog(folder, BLOCK_LIBRARY, folder);
    definition = JSON.parse(JSON.stringify({ file: catalog.integrations[0]!.file, operations: catalog.integrations[0]!.operations })) as IntegrationDefinition;
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await dataSource.query(`TRUNCATE integration_versions`);
    registry = new IntegrationAwareRegistry(BLOCK_LIBRARY, { integrations: [], blocks: [], problems: [], failed: [] }, undefined, { compileSchemas: false });
    bus = new MemoryEventBus();
    service = new IntegrationBlocksService(registry, new IntegrationBlocksRepository(dataSource), bus, pino({ level: 'silent' }), {
      gitops: loadConfig({ env: {} }).gitops,
    });
    await service.onApplicationBootstrap();
  });

  it('keeps the version it has when an event names a version whose row is missing, and says so for a block only that version has', async () => {
    await record('pets', 1, definition);
    expect((await service.lookupFor(graphOf('pets.get_pet'))).get('pets.get_pet')).toBe(registry.get('pets.get_pet'));
    await service.announce([{ name: 'pets', version: 2, removed: false }]);
    await waitFor(
      () => service.lookupFor(graphOf('pets.rename_pet')),
      (lookup) => lookup.get('pets.rename_pet')?.description.includes('version 2 is not recorded') === true,
      { what: 'the missing row to be the reason' },
    );
    expect(registry.versions.get('pets')).toBe(1);
    expect(registry.get('pets.get_pet')).toBeDefined();
    const failed = await failure(await service.lookupFor(graphOf('pets.rename_pet')), 'pets.rename_pet');
    expect(failed.code).toBe('INTEGRATION_UNAVAILABLE');
    expect(failed.message).toMatch(/integration "pets" version 2 is not recorded \(its row in integration_versions is missing\): sync the agents folder/);
  });

  it('cannot rebuild a version recorded without its definition, and says what to do', async () => {
    await record('pets', 1, null);
    const lookup = await service.lookupFor(graphOf('pets.get_pet'));
    expect(registry.get('pets.get_pet')).toBeUndefined();
    const failed = await failure(lookup, 'pets.get_pet');
    expect(failed.code).toBe('INTEGRATION_UNAVAILABLE');
    expect(failed.message).toContain('integration "pets" version 1 was recorded without its definition (by an older release)');
    expect(failed.message).toContain('sync the agents folder again');
  });

  it('follows events forward only: an older version or a repeated event changes nothing, a removal drops the blocks', async () => {
    await record('pets', 1, definition);
    await record('pets', 2, definition);
    await service.announce([{ name: 'pets', version: 2, removed: false }]);
    await waitFor(
      () => registry.versions.get('pets'),
      (version) => version === 2,
      { what: 'version 2 to be served' },
    );
    let changes = 0;
    service.onChange(() => changes++);
    await service.announce([
      { name: 'pets', version: 1, removed: false },
      { name: 'pets', version: 2, removed: false },
    ]);
    expect(registry.versions.get('pets')).toBe(2);
    expect(changes).toBe(0);
    await record('pets', 3, null, true);
    await service.announce([{ name: 'pets', version: 3, removed: true }]);
    await waitFor(
      () => registry.get('pets.get_pet'),
      (block) => block === undefined,
      { what: 'the removal to drop the blocks' },
    );
    expect(changes).toBe(1);
    expect(registry.get('http.request')).toBeDefined();
    const failed = await failure(await service.lookupFor(graphOf('pets.get_pet')), 'pets.get_pet');
    expect(failed.message).toContain('integration "pets" was removed (version 3)');
  });

  it('compiles a library block that does not exist as before: no stand-in, so the graph is refused', async () => {
    const lookup = await service.lookupFor({ nodes: { a: { block: 'http.nope' }, b: { block: 'pets.get_pet' } } });
    expect(lookup.get('http.nope')).toBeUndefined();
    expect(lookup.get('pets.get_pet')?.description).toContain('integration "pets" has no recorded version in this deployment');
  });
});
