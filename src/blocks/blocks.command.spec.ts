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
});
