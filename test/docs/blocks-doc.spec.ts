// docs/blocks.md is the block registry rendered (src/blocks/blocks.markdown.ts): every block, every pin.
// Fails when the committed copy drifts; `npm run docs:generate` rewrites it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { BlocksRegistry } from '../../src/blocks/blocks.registry.js';
import { renderBlocksMarkdown } from '../../src/blocks/blocks.markdown.js';
import { BLOCK_LIBRARY } from '../../src/blocks/library/index.js';
import { loadConfig } from '../../src/config/config.loader.js';
import { GENERATED_DOCS_WRITE } from './generated.js';

const COMMITTED = join(process.cwd(), 'docs', 'blocks.md');

function rendered(): string {
  const registry = new BlocksRegistry(BLOCK_LIBRARY, loadConfig({ env: { TRELLIS_ENV: 'development' } }).costs);
  return renderBlocksMarkdown(
    registry.list().map((block) => ({
      description: registry.describe(block),
      trigger: block.trigger === true,
      suspends: block.suspend ?? null,
      sideEffects: block.sideEffects === true,
      dynamicOutputs: block.dynamicOutputs !== undefined,
    })),
  );
}

describe('docs/blocks.md', () => {
  const text = rendered();

  it('lists every block of the registry with every input and output pin', () => {
    const registry = new BlocksRegistry(BLOCK_LIBRARY);
    for (const block of registry.list()) {
      const section = text.split(`### \`${block.id}\``)[1]?.split('\n### ')[0] ?? '';
      expect({ block: block.id, found: section.length > 0 }).toEqual({ block: block.id, found: true });
      const pins = [...Object.keys((block.inputSchema.properties ?? {}) as object), ...Object.keys((block.outputSchema.properties ?? {}) as object)];
      for (const pin of pins) expect({ block: block.id, pin, shown: section.includes(`| \`${pin}\` |`) }).toEqual({ block: block.id, pin, shown: true });
      expect(section).toContain(`  block: ${block.id}`);
    }
  });

  it('is the committed copy (npm run docs:generate rewrites it)', () => {
    if (GENERATED_DOCS_WRITE) writeFileSync(COMMITTED, text);
    expect(readFileSync(COMMITTED, 'utf8') === text ? 'current' : 'docs/blocks.md is stale: run npm run docs:generate and commit it').toBe('current');
  });
});
