// The block library as data: what validating an agent needs of each block (ids, pins and their schemas,
// credentials, modes, flags), written as JSON by `npm run build` beside this file's compiled copy, so that
// `trellis validate` checks agent files without loading the library (TypeBox and every block's module were
// most of its start). Functions do not survive JSON: dynamicOutputs come from dynamic-outputs.ts; a block
// that prices by a function, or runs, needs the library (the blocks this answers say so if called). The build
// compiles every schema of the library with ajv's meta-schema check first, so the manifest's skip that check.
// test/agents/block-manifest.spec.ts checks that the manifest's blocks validate exactly as the library's.
import { existsSync, readFileSync } from 'node:fs';
import type { BlockDefinition, JsonSchema } from '../block.types.js';
import { markCheckedByBuild } from '../pin-validation.js';
import { DYNAMIC_OUTPUTS } from './dynamic-outputs.js';

/** The file `npm run build` writes beside this module's compiled copy (scripts/build.mjs). */
export const BLOCK_MANIFEST_FILE = 'block-manifest.json';

/** One block as JSON: every field but the functions; `cost: "function"` when it prices by its inputs. */
export type BlockManifestEntry = Omit<BlockDefinition, 'run' | 'cost' | 'dynamicOutputs'> & { cost: number | 'function' };

/** The library as data (plain JSON, TypeBox's hidden markers dropped as the API's descriptions drop them). */
export function blockManifest(library: readonly BlockDefinition[]): BlockManifestEntry[] {
  return library.map((block) => {
    const { run: _run, cost, dynamicOutputs, ...data } = block;
    if (dynamicOutputs && dynamicOutputs !== (DYNAMIC_OUTPUTS as Record<string, unknown>)[block.id]) {
      throw new Error(`block ${block.id}: its dynamicOutputs must be DYNAMIC_OUTPUTS['${block.id}'] (src/blocks/library/dynamic-outputs.ts)`);
    }
    return JSON.parse(JSON.stringify({ ...data, cost: typeof cost === 'number' ? cost : 'function' })) as BlockManifestEntry;
  });
}

/** Blocks from manifest entries: as the library's for validation; running or pricing one by a function throws. */
export function manifestBlocks(entries: readonly BlockManifestEntry[], { checkedByBuild = false } = {}): BlockDefinition[] {
  return entries.map(({ cost, ...data }) => {
    if (checkedByBuild) for (const schema of schemasOf(data)) markCheckedByBuild(schema);
    const needsLibrary = (what: string) => () => {
      throw new Error(`block ${data.id}: ${what} needs the block library (this block came from the build's block manifest)`);
    };
    const dynamicOutputs = (DYNAMIC_OUTPUTS as Record<string, BlockDefinition['dynamicOutputs']>)[data.id];
    return {
      ...data,
      cost: cost === 'function' ? needsLibrary('its cost') : cost,
      ...(dynamicOutputs ? { dynamicOutputs } : {}),
      // eslint-disable-next-line require-yield -- never yields: it throws that the library is needed
      run: async function* () {
        needsLibrary('running it')();
      },
    };
  });
}

/** A block's schemas as compileBlock compiles them: the inputs, and each output pin. */
function schemasOf(block: Pick<BlockDefinition, 'inputSchema' | 'outputSchema'>): JsonSchema[] {
  return [block.inputSchema, ...Object.values((block.outputSchema.properties ?? {}) as Record<string, JsonSchema>)];
}

/**
 * Whether the build checked `library` (the library of this build): writing the manifest beside this module, it
 * compiled every schema of the library, meta-schema check included, and fails when one does not compile. The
 * server then runs the build's precompiled validators of the input schemas (block-validators.ts) and compiles
 * each output schema when first used, without ajv's meta-schema check (which accepts the same): compiling the
 * whole library was a tenth of its start. From the sources (no manifest) it answers false.
 */
export async function libraryCheckedByBuild(library: readonly BlockDefinition[]): Promise<boolean> {
  if (!existsSync(new URL(BLOCK_MANIFEST_FILE, import.meta.url))) return false;
  for (const block of library) for (const schema of schemasOf(block)) markCheckedByBuild(schema);
  const { useBuiltValidators } = await import('./block-validators.js');
  await useBuiltValidators(library);
  return true;
}

/**
 * The blocks of the manifest the build wrote beside this module, with the build's precompiled validators of
 * their inputs (block-validators.ts), or undefined when there is none (the sources run by the tests, a build
 * from before the manifest): the caller then loads the library.
 */
export async function builtBlocks(): Promise<BlockDefinition[] | undefined> {
  const file = new URL(BLOCK_MANIFEST_FILE, import.meta.url);
  if (!existsSync(file)) return undefined;
  const blocks = manifestBlocks(JSON.parse(readFileSync(file, 'utf8')) as BlockManifestEntry[], { checkedByBuild: true });
  const { useBuiltValidators } = await import('./block-validators.js');
  await useBuiltValidators(blocks);
  return blocks;
}
