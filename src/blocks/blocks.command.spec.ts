import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Command } from 'commander';
import { registerBlocksCommands, formatBlocksTable, wrap } from './blocks.command.js';
import { BlocksRegistry } from './blocks.registry.js';
import { BLOCK_LIBRARY } from './library/index.js';

async function trellis(...args: string[]): Promise<string> {
  let output = '';
  const program = new Command('trellis').exitOverride();
  registerBlocksCommands(program, (text) => {
    output += text;
  });
  await program.parseAsync(['node', 'trellis', 'blocks', ...args]);
  return output;
}

describe('trellis blocks', () => {
  it('prints a table: id, category, cost, inputs -> outputs', async () => {
    const text = await trellis();
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^ID\s+CATEGORY\s+COST\s+INPUTS -> OUTPUTS$/);
    expect(text).toMatch(/\ntext\.template\s+text\s+0\s+template, values\? -> text\n/);
    expect(text).toMatch(/\nlist\.collect\s+data\s+0\s+item \(gather\), key\? \(gather\), count\? \(sticky\) -> items, complete\n/);
    expect(text).toMatch(/\nlist\.iterate .* -> count, item, batch, key {2}\[streaming\]\n/);
    expect(text).toMatch(/\ntrigger\.cron .* {2}\[trigger\]\n/);
    expect(text).toMatch(/\nlogic\.switch .* -> default, \+ one per constant\n/);
    expect(text).toMatch(/\ntime\.delay .*\[suspends: delay\]\n/);
    expect(text).toMatch(/\ncode\.js\s+code\s+1\s+/);
    expect(text).toContain('every block also has the error output');
  });

  it("prints each block's whole description and its own error codes beneath its row, indented and wrapped at 100 columns", async () => {
    const text = await trellis();
    const registry = new BlocksRegistry(BLOCK_LIBRARY);
    const lines = text.split('\n');
    for (const block of registry.list()) {
      const row = lines.findIndex((line) => line.startsWith(`${block.id} `));
      const beneath: string[] = [];
      for (let i = row + 1; lines[i]?.startsWith('    '); i++) beneath.push(lines[i]!);
      const errorsAt = beneath.findIndex((line) => line.startsWith('    errors: '));
      const description = errorsAt < 0 ? beneath : beneath.slice(0, errorsAt);
      expect({ id: block.id, description: description.map((line) => line.trim()).join(' ') }).toEqual({
        id: block.id,
        description: block.description.trim().replace(/\s+/g, ' '),
      });
      // Then the block's own error codes, the transient ones marked.
      const own = (block.errors ?? []).map((error) => `${error.code}${error.transient ? ' (transient)' : ''}`).join(', ');
      expect(
        errorsAt < 0
          ? ''
          : beneath
              .slice(errorsAt)
              .map((line) => line.trim())
              .join(' '),
      ).toBe(own ? `errors: ${own}` : '');
      expect(beneath.every((line) => line.length <= 100)).toBe(true);
    }
    expect(text).toMatch(/\ntext\.template\s+text\s+0\s+template, values\? -> text\n {4}\S/);
  });

  it('wraps words at the width and keeps a longer word whole', () => {
    expect(wrap('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(wrap('a https://example.com/a/long/path b', 10)).toEqual(['a', 'https://example.com/a/long/path', 'b']);
    expect(wrap('  ', 10)).toEqual([]);
  });

  it('prints every full description with --json', async () => {
    const descriptions = JSON.parse(await trellis('--json')) as Array<Record<string, unknown>>;
    const template = descriptions.find((d) => d.id === 'text.template');
    expect(template).toMatchObject({ category: 'text', cost: 0, streaming: false, pin_modes: {}, credentials: {} });
    expect(Object.keys(template!.input_schema as object)).toEqual(['type', 'properties', 'required', 'additionalProperties']);
  });

  it('marks per-model costs', () => {
    const registry = new BlocksRegistry(BLOCK_LIBRARY);
    const rows = registry.list().map((block) => ({ block, description: registry.describe(block) }));
    const withModel = rows.map((row) =>
      row.block.id === 'text.join' ? { ...row, description: { ...row.description, cost_by_model: { models: {}, default: 2 } } } : row,
    );
    expect(formatBlocksTable(withModel)).toMatch(/\ntext\.join\s+text\s+0 \(by model\)/);
  });

  it("lists the integrations folder's operations as blocks, in the table and with --json", async () => {
    // See test/integrations/openapi/openapi-integrations.spec.ts: jest's realm and the parser's plain-object check.
    globalThis.structuredClone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
    const folder = mkdtempSync(join(tmpdir(), 'trellis-blocks-integrations-'));
    const previous = process.env.INTEGRATIONS_DIR;
    try {
      mkdirSync(join(folder, 'docs'));
      writeFileSync(join(folder, 'pets.yaml'), 'name: pets\nopenapi: docs/pets.yaml\nbase_url: https://pets.example.com\n');
      writeFileSync(
        join(folder, 'docs', 'pets.yaml'),
        [
          'openapi: 3.1.0',
          'info: { title: Pets, version: "1" }',
          'paths:',
          '  /pets/{id}:',
          '    get:',
          '      operationId: getPet',
          '      summary: One pet',
          '      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]',
          '      responses: { "200": { description: ok } }',
          '',
        ].join('\n'),
      );
      process.env.INTEGRATIONS_DIR = folder;
      expect(await trellis()).toMatch(/\npets\.get_pet\s+http\s+1\s+id -> status, headers, json, body\n {4}One pet \(GET \/pets\/\{id\}, integration pets\)/);
      const described = (
        JSON.parse(await trellis('--json')) as Array<{ id: string; cost: number; cost_by_model?: unknown; input_schema: { required: string[] } }>
      ).find((d) => d.id === 'pets.get_pet');
      expect(described?.input_schema.required).toEqual(['id']);
      // Priced by costs.yaml integrations.pets (default 1), not per model.
      expect(described).toMatchObject({ cost: 1 });
      expect(described).not.toHaveProperty('cost_by_model');
    } finally {
      if (previous === undefined) delete process.env.INTEGRATIONS_DIR;
      else process.env.INTEGRATIONS_DIR = previous;
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
