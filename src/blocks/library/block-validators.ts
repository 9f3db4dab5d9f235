// The build's precompiled validators: ajv standalone code for every block's input schema and for the input
// types a type name gives (`{type: string}`, ...), written by `npm run build` beside this module's compiled
// copy, from the block manifest it writes from the same library. `trellis validate` runs them and loads none
// of ajv's compiler (compiling was a fifth of its start). They come from pin-ajv.ts's set-up with the source
// kept, so they accept and report exactly what compiled ones do: test/agents/block-validators.spec.ts.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { BlockDefinition, JsonSchema } from '../block.types.js';
import { newPinAjv, precompiledFormats } from '../pin-ajv.js';
import { JSON_TYPES, usePrecompiled, usePrecompiledData } from '../pin-validation.js';

/** The module `npm run build` writes beside this one (scripts/build.mjs); its `validators(formats)` answers them. */
export const BLOCK_VALIDATORS_FILE = 'block-validators.standalone.js';

/** Validators by key: a block's id for its input schema, `type:<name>` for an input of that JSON type. */
export type BlockValidators = Record<string, ValidateFunction>;

/** The schemas of inputs typed by a type name, as agent validation makes them (agent.pins.ts inputValueSchema). */
const TYPE_SCHEMAS: ReadonlyArray<{ key: string; schema: JsonSchema }> = JSON_TYPES.map((type) => ({ key: `type:${type}`, schema: { type } }));

/**
 * The body of the function that makes the validators: free names `require` (for ajv's runtime helpers) and
 * `formats` (precompiledFormats()), answers the validators by key.
 */
export function blockValidatorsCode(blocks: ReadonlyArray<Pick<BlockDefinition, 'id' | 'inputSchema'>>): string {
  const require = createRequire(import.meta.url);
  const { _ } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const standaloneCode = (require('ajv/dist/standalone/index.js') as typeof import('ajv/dist/standalone/index.js')).default;
  const ajv = newPinAjv({ source: true, formats: _`formats` });
  const keys: Record<string, string> = {};
  for (const { key, schema } of [...blocks.map((block) => ({ key: block.id, schema: block.inputSchema })), ...TYPE_SCHEMAS]) {
    ajv.addSchema(schema, key);
    keys[key] = key;
  }
  return `const exports = {};\n${standaloneCode(ajv, keys)}\nreturn exports;`;
}

/** The module the build writes: blockValidatorsCode as its exported `validators(formats)`. */
export function blockValidatorsModule(blocks: ReadonlyArray<Pick<BlockDefinition, 'id' | 'inputSchema'>>): string {
  return [
    '// Written by npm run build from the block library (src/blocks/library/block-validators.ts); not to be edited.',
    "import { createRequire } from 'node:module';",
    'const require = createRequire(import.meta.url);',
    `export function validators(formats) {\n${blockValidatorsCode(blocks)}\n}`,
    '',
  ].join('\n');
}

/** Hands `validators` to pin-validation for these blocks' input schemas and the type-name input types. */
export function useBlockValidators(validators: BlockValidators, blocks: readonly BlockDefinition[]): void {
  for (const block of blocks) {
    const validate = validators[block.id];
    if (validate) usePrecompiled(block.inputSchema, validate);
  }
  for (const { key, schema } of TYPE_SCHEMAS) {
    const validate = validators[key];
    if (validate) usePrecompiledData(schema, validate);
  }
}

/** The build's validators for these blocks (the manifest's), when the build wrote them; else false (they compile). */
export async function useBuiltValidators(blocks: readonly BlockDefinition[]): Promise<boolean> {
  const file = new URL(BLOCK_VALIDATORS_FILE, import.meta.url);
  if (!existsSync(file)) return false;
  const { validators } = (await import(file.href)) as { validators: (formats: unknown) => BlockValidators };
  useBlockValidators(validators(precompiledFormats()), blocks);
  return true;
}
