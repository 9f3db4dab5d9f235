// An integration's blocks rebuilt from a recorded definition (as integration_versions stores it: JSON) are
// the blocks the folder gives, trust rules included; a registry serves integrations by recorded version,
// newer only; a block no version provides fails its node with the reason.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { BlockContext } from '../block.types.js';
import { BLOCK_LIBRARY } from '../library/index.js';
import type { IntegrationDefinition } from '../openapi/integration.types.js';
import { IntegrationAwareRegistry, loadIntegrationCatalog, type IntegrationCatalog } from './integration-blocks.js';
import { blocksOfDefinition, unavailableBlock } from './recorded-blocks.js';

// See test/integrations/openapi/openapi-integrations.spec.ts: jest's realm and the parser's plain-object check.
globalThis.structuredClone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const DOCUMENT = [
  'openapi: 3.1.0',
  'info: { title: Pets, version: "1" }',
  'paths:',
  '  /pets/{id}:',
  '    parameters: [{ name: id, in: path, required: true, schema: { type: string } }]',
  '    get: { operationId: getPet, responses: { "200": { description: ok } } }',
  '    delete: { operationId: deletePet, security: [], responses: { "204": { description: gone } } }',
  '',
].join('\n');

const FILE = [
  'name: pets',
  'openapi: docs/pets.yaml',
  'base_url: https://pets.example.com/v1',
  'credential: { type: api_key, in: header, name: X-Pets-Key }',
  'allow: { file_agents: false, users: [alice] }',
  '',
].join('\n');

describe('blocks of a recorded integration version', () => {
  let dir: string;
  let catalog: IntegrationCatalog;
  let definition: IntegrationDefinition;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trellis-recorded-'));
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'pets.yaml'), FILE);
    writeFileSync(join(dir, 'docs', 'pets.yaml'), DOCUMENT);
    catalog = await loadIntegrationCatalog(dir, BLOCK_LIBRARY, dir);
    expect(catalog.problems).toEqual([]);
    const [loaded] = catalog.integrations;
    // Through JSON, as the jsonb column gives it back.
    definition = JSON.parse(JSON.stringify({ file: loaded!.file, operations: loaded!.operations })) as IntegrationDefinition;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are the blocks the folder gives: pins, outputs, credential, allow, side effects and cost', () => {
    const registry = new IntegrationAwareRegistry(BLOCK_LIBRARY, catalog, undefined, { compileSchemas: false });
    const rebuilt = new IntegrationAwareRegistry(BLOCK_LIBRARY, { ...catalog, integrations: [], blocks: blocksOfDefinition(definition) }, undefined, {
      compileSchemas: false,
    });
    for (const id of ['pets.get_pet', 'pets.delete_pet']) {
      const [folder, recorded] = [registry.get(id)!, rebuilt.get(id)!];
      expect(rebuilt.describe(recorded)).toEqual(registry.describe(folder));
      expect(recorded.allow).toEqual({ file_agents: false, roles: ['admin'], users: ['alice'] });
      expect(recorded.allow).toEqual(folder.allow);
      expect(recorded.sideEffects).toBe(folder.sideEffects);
    }
    expect(rebuilt.describe(rebuilt.get('pets.get_pet')!).credentials).toEqual({ auth: { provider: 'pets', types: ['api_key'], optional: false } });
    expect(rebuilt.describe(rebuilt.get('pets.delete_pet')!).credentials.auth?.optional).toBe(true);
  });

  it('are served by recorded version: newer only, null removes them, and each change is told', () => {
    const registry = new IntegrationAwareRegistry(BLOCK_LIBRARY, { integrations: [], blocks: [], problems: [], failed: [] }, undefined, {
      compileSchemas: false,
    });
    let changes = 0;
    registry.onChange(() => changes++);
    const blocks = blocksOfDefinition(definition);
    expect(registry.serveVersion('pets', 2, blocks)).toBe(true);
    expect(registry.get('pets.get_pet')?.id).toBe('pets.get_pet');
    expect(registry.serveVersion('pets', 1, null)).toBe(false);
    expect(registry.serveVersion('pets', 2, [])).toBe(false);
    expect(registry.get('pets.get_pet')).toBeDefined();
    expect(registry.serveVersion('pets', 3, blocks.slice(0, 1))).toBe(true);
    expect(
      registry
        .list()
        .filter((b) => b.id.startsWith('pets.'))
        .map((b) => b.id),
    ).toEqual([blocks[0]!.id]);
    expect(registry.serveVersion('pets', 4, null)).toBe(true);
    expect(registry.list().some((b) => b.id.startsWith('pets.'))).toBe(false);
    expect(registry.integrationBlocks).toEqual([]);
    expect(registry.versions.get('pets')).toBe(4);
    expect(changes).toBe(3);
    // The library stays whatever happens to integrations; its prefixes are never an integration's.
    expect(registry.get('http.request')).toBeDefined();
    expect(registry.integrationOf('http.request')).toBeNull();
    expect(registry.integrationOf('pets.get_pet')).toBe('pets');
  });

  it('refuses blocks that are not valid blocks and keeps what it served', () => {
    const registry = new IntegrationAwareRegistry(BLOCK_LIBRARY, { integrations: [], blocks: [], problems: [], failed: [] }, undefined, {
      compileSchemas: false,
    });
    registry.serveVersion('pets', 1, blocksOfDefinition(definition));
    const broken = { ...blocksOfDefinition(definition)[0]!, id: 'pets.Not An Id' };
    expect(() => registry.serveVersion('pets', 2, [broken])).toThrow(/dotted slug/);
    expect(registry.versions.get('pets')).toBe(1);
    expect(registry.get('pets.get_pet')).toBeDefined();
  });
});

describe('an unavailable integration block', () => {
  it('fails with INTEGRATION_UNAVAILABLE and the reason, takes any inputs and costs nothing', async () => {
    const block = unavailableBlock('ghost.get_thing', 'Block "ghost.get_thing" cannot run: integration "ghost" has no recorded version.');
    expect(block.cost).toBe(0);
    expect(block.errors?.map((e) => e.code)).toEqual(['INTEGRATION_UNAVAILABLE']);
    const run = block.run({ anything: 1 }, {} as BlockContext);
    await expect(run.next()).rejects.toMatchObject({ code: 'INTEGRATION_UNAVAILABLE', message: expect.stringContaining('no recorded version') });
  });
});
