// The build's precompiled validators (src/blocks/library/block-validators.ts), which `trellis validate` runs
// instead of compiling the manifest's input schemas with ajv: made here from the library exactly as the build
// makes them, they accept, default and report what compiled validators do, value by value and on whole folders.
import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { defaultDeps, type AgentCommandDeps } from '../../src/agents/agents.command.js';
import type { BlockDefinition, JsonSchema } from '../../src/blocks/block.types.js';
import { BlocksRegistry } from '../../src/blocks/blocks.registry.js';
import { newPinAjv, precompiledFormats } from '../../src/blocks/pin-ajv.js';
import { compileDataSchema, compileSchema, JSON_TYPES, problemsFromErrors } from '../../src/blocks/pin-validation.js';
import { blockManifest, manifestBlocks } from '../../src/blocks/library/block-manifest.js';
import { blockValidatorsCode, blockValidatorsModule, useBlockValidators, type BlockValidators } from '../../src/blocks/library/block-validators.js';
import { BLOCK_LIBRARY } from '../../src/blocks/library/index.js';
import { ROOT } from '../helpers/built.js';
import { validateInProcess } from './fixtures/cli.js';

const manifest = blockManifest(BLOCK_LIBRARY);
const code = blockValidatorsCode(manifest);
// The body of the built module's validators(formats), run with the module's own free names.
const precompiled = new Function('require', 'formats', code)(createRequire(import.meta.url), precompiledFormats()) as BlockValidators;
// The manifest's blocks (through JSON, as the build writes them), running the precompiled validators.
const blocks: BlockDefinition[] = manifestBlocks(JSON.parse(JSON.stringify(manifest)), { checkedByBuild: true });
useBlockValidators(precompiled, blocks);

/** Values that hit every kind of error: wrong types per pin, unknown keys, nothing at all. */
function samples(schema: JsonSchema): unknown[] {
  const pins = Object.keys((schema.properties ?? {}) as object);
  const wrong = [12345, 'text', true, null, [1, 'a'], { nested: { deeper: 1 } }, '', -1.5];
  return [
    {},
    { not_a_pin: 1 },
    ...wrong.map((value) => Object.fromEntries(pins.map((pin) => [pin, value]))),
    ...pins.map((pin) => ({ [pin]: 'x'.repeat(300) })),
    'not an object',
  ];
}

const validateWith = (deps: AgentCommandDeps, folder: string, format: string) => validateInProcess(deps, folder, format, ROOT);

describe("the build's precompiled validators", () => {
  it('is one module the build writes, with a validator for every block and every input type name', () => {
    expect(blockValidatorsModule(manifest)).toContain(`export function validators(formats) {\n${code}\n}`);
    expect(Object.keys(precompiled).sort()).toEqual([...manifest.map((b) => b.id), ...JSON_TYPES.map((t) => `type:${t}`)].sort());
    for (const block of blocks) expect(compileSchema(block.inputSchema)).toBe(precompiled[block.id]);
    for (const type of JSON_TYPES) expect(compileDataSchema({ type }, { metaChecked: true })).toBe(precompiled[`type:${type}`]);
  });

  it('accept, fill defaults and report errors as ajv-compiled validators of the same schemas do', () => {
    const ajv = newPinAjv();
    let failures = 0;
    for (const block of manifest) {
      const compiled = ajv.compile(structuredClone(block.inputSchema));
      for (const sample of samples(block.inputSchema)) {
        const [a, b] = [structuredClone(sample), structuredClone(sample)];
        const ok = precompiled[block.id]!(a);
        expect({ block: block.id, ok, data: a, errors: precompiled[block.id]!.errors ?? null }).toEqual({
          block: block.id,
          ok: compiled(b),
          data: b,
          errors: compiled.errors ?? null,
        });
        expect(problemsFromErrors(precompiled[block.id]!.errors, { pins: Object.keys(block.inputSchema.properties ?? {}) })).toEqual(
          problemsFromErrors(compiled.errors, { pins: Object.keys(block.inputSchema.properties ?? {}) }),
        );
        if (!ok) failures++;
      }
    }
    // The samples are wrong for most blocks: the comparison above compares errors, not only successes.
    expect(failures).toBeGreaterThan(manifest.length * 5);
    for (const type of JSON_TYPES) {
      const compiled = ajv.compile({ type });
      for (const value of ['a', 1, 1.5, true, null, [], {}]) {
        expect([precompiled[`type:${type}`]!(value), precompiled[`type:${type}`]!.errors ?? null]).toEqual([compiled(value), compiled.errors ?? null]);
      }
    }
  });

  const FULL: AgentCommandDeps = { ...defaultDeps, validationBlocks: undefined };
  const PRECOMPILED: AgentCommandDeps = { ...defaultDeps, validationBlocks: async () => new BlocksRegistry(blocks, undefined, { compileSchemas: false }) };
  for (const folder of ['agents', join('agents', 'examples'), join('test', 'agents', 'fixtures', 'invalid')]) {
    it(`validating ${folder} with them prints what validating with the library's compiled validators prints`, async () => {
      for (const format of ['text', 'json']) {
        const full = await validateWith(FULL, folder, format);
        expect(await validateWith(PRECOMPILED, folder, format)).toEqual(full);
        if (folder.includes('invalid') && format === 'text') expect(full.out).toContain('the default of input "count" does not fit its type');
      }
    }, 60_000);
  }
});
