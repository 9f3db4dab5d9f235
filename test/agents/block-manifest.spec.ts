// The build's block manifest (src/blocks/library/block-manifest.ts), which `trellis validate` reads instead of
// loading the block library: its blocks are the library's as validation sees them, and validating with them
// prints exactly what validating with the library prints, on the shipped agents and on files full of errors.
import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { defaultDeps, type AgentCommandDeps } from '../../src/agents/agents.command.js';
import type { BlockDefinition } from '../../src/blocks/block.types.js';
import { BlocksRegistry } from '../../src/blocks/blocks.registry.js';
import { blockManifest, manifestBlocks } from '../../src/blocks/library/block-manifest.js';
import { DYNAMIC_OUTPUTS } from '../../src/blocks/library/dynamic-outputs.js';
import { BLOCK_LIBRARY } from '../../src/blocks/library/index.js';
import { ROOT } from '../helpers/built.js';
import { validateInProcess } from './fixtures/cli.js';

/** The manifest as the build writes it and `trellis validate` reads it: through JSON. */
function builtManifestBlocks(): BlockDefinition[] {
  return manifestBlocks(JSON.parse(JSON.stringify(blockManifest(BLOCK_LIBRARY))), { checkedByBuild: true });
}

/** What validation reads of a block, functions left out. */
function asData(block: BlockDefinition): unknown {
  const { run: _run, cost, dynamicOutputs: _dynamic, ...data } = block;
  return JSON.parse(JSON.stringify({ ...data, cost: typeof cost === 'number' ? cost : 'function' }));
}

const FULL: AgentCommandDeps = { ...defaultDeps, validationBlocks: undefined };
const FROM_MANIFEST: AgentCommandDeps = {
  ...defaultDeps,
  validationBlocks: async () => new BlocksRegistry(builtManifestBlocks(), undefined, { compileSchemas: false }),
};

const validateWith = (deps: AgentCommandDeps, folder: string, format: string) => validateInProcess(deps, folder, format, ROOT);

describe('the block manifest', () => {
  it('holds every block of the library, each as validation reads it, with the same dynamic outputs', () => {
    const blocks = builtManifestBlocks();
    expect(blocks.map((b) => b.id)).toEqual(BLOCK_LIBRARY.map((b) => b.id));
    for (const [index, block] of blocks.entries()) {
      const original = BLOCK_LIBRARY[index]!;
      expect(asData(block)).toEqual(asData(original));
      expect(block.dynamicOutputs).toBe(original.dynamicOutputs);
    }
    expect(blocks.filter((b) => b.dynamicOutputs).map((b) => b.id)).toEqual(expect.arrayContaining(Object.keys(DYNAMIC_OUTPUTS)));
  });

  it('refuses a block whose dynamic outputs are not those of dynamic-outputs.ts (they would not survive JSON)', () => {
    const switchBlock = BLOCK_LIBRARY.find((b) => b.id === 'logic.switch')!;
    const copy = { ...switchBlock, dynamicOutputs: () => [] };
    expect(() => blockManifest([copy])).toThrow("block logic.switch: its dynamicOutputs must be DYNAMIC_OUTPUTS['logic.switch']");
  });

  it('answers blocks that say they need the library when run or priced by a function', async () => {
    const blocks = builtManifestBlocks();
    const chat = blocks.find((b) => b.id === 'llm.chat')!;
    expect(() => (chat.cost as () => number)()).toThrow('block llm.chat: its cost needs the block library');
    await expect(chat.run({}, {} as never).next()).rejects.toThrow('block llm.chat: running it needs the block library');
    expect(blocks.find((b) => b.id === 'text.template')!.cost).toBe(BLOCK_LIBRARY.find((b) => b.id === 'text.template')!.cost);
  });

  // The build writes the manifest; these are the folders CI validates, and files with one kind of error each.
  for (const folder of ['agents', join('agents', 'examples'), join('test', 'agents', 'fixtures', 'invalid')]) {
    it(`validating ${folder} from the manifest prints what validating with the library prints`, async () => {
      for (const format of ['text', 'json']) {
        const full = await validateWith(FULL, folder, format);
        expect(await validateWith(FROM_MANIFEST, folder, format)).toEqual(full);
        if (folder.includes('invalid')) expect(full.status).toBe(1);
      }
    }, 60_000);
  }

  it('the files with errors fire the rules that read blocks (so the comparison above compares something)', async () => {
    const { out } = await validateWith(FROM_MANIFEST, join('test', 'agents', 'fixtures', 'invalid'), 'text');
    for (const expected of [
      'unknown block "text.templat". Did you mean "text.template"?',
      'is not a valid cron expression',
      'logic.switch has no output pin "chore". Its outputs: default, error, bug, feature.',
      'llm.classify has no output pin "soon". Its outputs: label, usage, error, urgent, later.',
      'type is not a valid JSON Schema',
      'the default of input "count" does not fit its type',
      'slack.post has no credential field "extra"',
      'but ${{ 42 }} gives the number 42',
    ]) {
      expect(out).toContain(expected);
    }
  }, 60_000);
});
