// The integrations folder as blocks: each top-level `<name>.yaml` checked (line:col), its OpenAPI
// document read, and one block per operation. A broken integration is reported and contributes no blocks;
// the others still load. Documents may sit anywhere in the folder (a top-level file that is itself an
// OpenAPI document is not an integration file).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkIntegrationFile } from '../openapi/integration-file.js';
import type { IntegrationProblem, LoadedIntegration } from '../openapi/integration.types.js';
import { loadOperations } from '../openapi/openapi-document.js';
import type { BlockDefinition } from '../block.types.js';
import { BlockRegistryError, BlocksRegistry } from '../blocks.registry.js';
import { compileBlockSchemas } from '../block-validator.js';
import { operationBlock } from './openapi-blocks.js';

export { integrationsFolder } from './integrations-folder.js';

export interface IntegrationCatalog {
  integrations: LoadedIntegration[];
  blocks: BlockDefinition[];
  problems: IntegrationProblem[];
  /** Integration files that did not load, by the name their file gives them (their problems are also in `problems`). */
  failed: Array<{ name: string; source: string; problems: IntegrationProblem[] }>;
}

const DOCUMENT = /^\s*["']?openapi["']?\s*:\s*["']?3\./m;

/** Block id prefixes the built-in library uses (an integration may not take one). */
export function builtInPrefixes(library: readonly BlockDefinition[]): Set<string> {
  return new Set(library.map((b) => b.id.split('.')[0]!));
}

/** The last catalog read per folder, reused while no file of the folder changed (start-up, then its sync; re-syncs). */
const CACHE = new Map<string, { fingerprint: string; catalog: Promise<IntegrationCatalog> }>();

/** Every file under the folder: the integration files by content, the documents by size and modification time. */
function fingerprintOf(folder: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string, depth: number) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && depth < 8) walk(path, depth + 1);
      else if (entry.isFile()) {
        const stat = statSync(path);
        hash.update(`${path}\0${stat.size}\0${stat.mtimeMs}\0`);
        if (depth === 0 && stat.size < 64 * 1024) hash.update(readFileSync(path));
      }
    }
  };
  walk(folder, 0);
  return hash.digest('hex');
}

export async function loadIntegrationCatalog(folder: string, library: readonly BlockDefinition[], cwd = process.cwd()): Promise<IntegrationCatalog> {
  if (!existsSync(folder)) return { integrations: [], blocks: [], problems: [], failed: [] };
  const key = `${folder}\0${cwd}`;
  const fingerprint = fingerprintOf(folder);
  const hit = CACHE.get(key);
  if (hit?.fingerprint === fingerprint) return hit.catalog;
  const catalog = readCatalog(folder, library, cwd);
  CACHE.set(key, { fingerprint, catalog });
  catalog.catch(() => CACHE.delete(key));
  return catalog;
}

async function readCatalog(folder: string, library: readonly BlockDefinition[], cwd: string): Promise<IntegrationCatalog> {
  const catalog: IntegrationCatalog = { integrations: [], blocks: [], problems: [], failed: [] };
  const reserved = builtInPrefixes(library);
  const names = readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  for (const name of names) {
    const path = join(folder, name);
    const source = relative(cwd, path) || path;
    const text = readFileSync(path, 'utf8');
    if (DOCUMENT.test(text)) continue;
    const loaded = await loadOne(text, source, folder, reserved);
    const failed = { name: name.replace(/\.ya?ml$/, ''), source, problems: loaded.problems };
    catalog.problems.push(...loaded.problems);
    if (!loaded.integration || loaded.problems.length) {
      catalog.failed.push(failed);
      continue;
    }
    const { integration, operations } = loaded;
    const blocks: BlockDefinition[] = [];
    for (const operation of operations) {
      const block = operationBlock(integration, operation);
      try {
        new BlocksRegistry([block], undefined, { compileSchemas: false });
        blocks.push(block);
      } catch (error) {
        const problem = { file: source, message: `operation "${operation.operationId}" cannot be a block: ${(error as Error).message.slice(0, 300)}` };
        catalog.problems.push(problem);
        failed.problems.push(problem);
      }
    }
    if (failed.problems.length) {
      catalog.failed.push(failed);
      continue;
    }
    const hash = createHash('sha256').update(JSON.stringify({ integration, operations })).digest('hex');
    catalog.integrations.push({ file: integration, source, operations, hash });
    catalog.blocks.push(...blocks);
  }
  return catalog;
}

/** One integration file and its document; whatever goes wrong is a problem of that file, never a crash of the caller. */
async function loadOne(text: string, source: string, folder: string, reserved: ReadonlySet<string>) {
  try {
    const checked = checkIntegrationFile(text, source, reserved);
    if (!checked.integration) return { problems: checked.problems, operations: [] };
    const { operations, problems } = await loadOperations(checked.integration, folder, source);
    return { integration: checked.integration, operations, problems };
  } catch (error) {
    return {
      problems: [{ file: source, message: `could not be read: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200)}` }],
      operations: [],
    };
  }
}

export function formatIntegrationProblem(problem: IntegrationProblem): string {
  return `${problem.file}${problem.line ? `:${problem.line}:${problem.column ?? 1}` : ''}: ${problem.message}`;
}

/** The library plus the integrations' blocks, remembering what was wrong with the integrations. */
export class IntegrationAwareRegistry extends BlocksRegistry {
  constructor(
    library: readonly BlockDefinition[],
    public catalog: IntegrationCatalog,
    costs?: ConstructorParameters<typeof BlocksRegistry>[1],
    options?: ConstructorParameters<typeof BlocksRegistry>[2],
  ) {
    // The library's schemas compile now (as BlocksRegistry's do); the integrations' when first used: their
    // schemas are cut to what compiles (openapi-schemas.ts), and GitHub's ~1,200 operations would take seconds.
    super([...library, ...catalog.blocks], costs, { compileSchemas: false });
    const problems: string[] = [];
    for (const block of options?.compileSchemas === false ? [] : library) {
      try {
        compileBlockSchemas(this.get(block.id)!);
      } catch (error) {
        problems.push(`block ${block.id}: its schemas do not compile: ${(error as Error).message}`);
      }
    }
    if (problems.length) throw new BlockRegistryError(problems);
    this.integrationBlocks = catalog.blocks;
    this.reserved = builtInPrefixes(library);
  }

  /** The integrations' blocks as served now, as defined (the registry's copies carry the error pin). */
  integrationBlocks: readonly BlockDefinition[];

  /** Block id prefixes of the built-in library: any other prefix names an integration. */
  readonly reserved: ReadonlySet<string>;

  /**
   * Integration name -> the recorded version (integration_versions) its blocks here are; a removed one keeps
   * the version that removed it. Absent: not known at a recorded version (loaded from the folder before a sync).
   */
  readonly versions = new Map<string, number>();

  private readonly listeners = new Set<() => void>();

  /** Called after each change of the integrations' blocks (compiled graphs hold blocks: they compile again). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The integration a block id belongs to (null for the library's prefixes). */
  integrationOf(blockId: string): string | null {
    const name = blockId.includes('.') ? blockId.slice(0, blockId.indexOf('.')) : null;
    return name && !this.reserved.has(name) ? name : null;
  }

  /** After a sync: every block of the integrations `names` is replaced by `blocks` (checked first), at `versions`. */
  useIntegrations(
    names: readonly string[],
    blocks: readonly BlockDefinition[],
    catalog: IntegrationCatalog,
    versions: ReadonlyMap<string, number> = new Map(),
  ): void {
    this.replace(names, blocks);
    this.integrationBlocks = blocks;
    this.catalog = catalog;
    for (const [name, version] of versions) this.versions.set(name, Math.max(version, this.versions.get(name) ?? 0));
    this.changed();
  }

  /**
   * One integration at a recorded version: its blocks (null: removed, none are left). Refused (false) when
   * this registry already serves that version or a newer one: events, start-up and on-demand loads may race.
   */
  serveVersion(name: string, version: number, blocks: readonly BlockDefinition[] | null): boolean {
    if ((this.versions.get(name) ?? 0) >= version) return false;
    this.replace([name], blocks ?? []);
    this.integrationBlocks = [...this.integrationBlocks.filter((block) => this.integrationOf(block.id) !== name), ...(blocks ?? [])];
    this.versions.set(name, version);
    this.changed();
    return true;
  }

  private replace(names: readonly string[], blocks: readonly BlockDefinition[]): void {
    const checked = new BlocksRegistry(blocks, undefined, { compileSchemas: false }).list();
    const prefixes = names.map((name) => `${name}.`);
    for (const id of [...this.blocks.keys()]) if (prefixes.some((prefix) => id.startsWith(prefix))) this.blocks.delete(id);
    for (const block of checked) this.blocks.set(block.id, block);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
