// The integrations folder as blocks: each top-level `<name>.yaml` checked (line:col), its OpenAPI
// document read, and one block per operation. A broken integration is reported and contributes no blocks;
// the others still load. Documents may sit anywhere in the folder (a top-level file that is itself an
// OpenAPI document is not an integration file).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkIntegrationFile } from '../openapi/integration-file.js';
import type { IntegrationProblem, LoadedIntegration } from '../openapi/integration.types.js';
import { loadOperations } from '../openapi/openapi-document.js';
import type { BlockDefinition } from '../block.types.js';
import { BlocksRegistry } from '../blocks.registry.js';
import { operationBlock } from './openapi-blocks.js';

export interface IntegrationCatalog {
  integrations: LoadedIntegration[];
  blocks: BlockDefinition[];
  problems: IntegrationProblem[];
}

const DOCUMENT = /^\s*["']?openapi["']?\s*:\s*["']?3\./m;

/** Block id prefixes the built-in library uses (an integration may not take one). */
export function builtInPrefixes(library: readonly BlockDefinition[]): Set<string> {
  return new Set(library.map((b) => b.id.split('.')[0]!));
}

export async function loadIntegrationCatalog(folder: string, library: readonly BlockDefinition[], cwd = process.cwd()): Promise<IntegrationCatalog> {
  const catalog: IntegrationCatalog = { integrations: [], blocks: [], problems: [] };
  if (!existsSync(folder)) return catalog;
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
    catalog.problems.push(...loaded.problems);
    if (!loaded.integration) continue;
    const { integration, operations } = loaded;
    if (loaded.problems.length) continue;
    const blocks: BlockDefinition[] = [];
    for (const operation of operations) {
      const block = operationBlock(integration, operation);
      try {
        new BlocksRegistry([block]);
        blocks.push(block);
      } catch (error) {
        catalog.problems.push({ file: source, message: `operation "${operation.operationId}" cannot be a block: ${(error as Error).message.slice(0, 300)}` });
      }
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
    readonly catalog: IntegrationCatalog,
    costs?: ConstructorParameters<typeof BlocksRegistry>[1],
    options?: ConstructorParameters<typeof BlocksRegistry>[2],
  ) {
    super([...library, ...catalog.blocks], costs, options);
  }
}

/** The integrations folder: INTEGRATIONS_DIR, else `integrations` beside the agents folder. */
export function integrationsFolder(env: NodeJS.ProcessEnv, agentsDir: string, cwd: string): string {
  return env.INTEGRATIONS_DIR?.trim() ? join(cwd, env.INTEGRATIONS_DIR.trim()) : join(cwd, agentsDir, '..', 'integrations');
}
