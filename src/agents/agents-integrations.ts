// The integrations side of a plan (release-2.md section 5): each integration of the folder compared with
// its newest recorded version (create, update, unchanged, remove, invalid; operations added, changed,
// removed), and the blocks agents validate against. A change that removes an operation, or changes its
// method, path or input pins, while an agent still uses it is an error of the integration: it keeps its
// last good blocks (those the running registry holds) and records no version. Pure: inputs in, plan out.
import { createHash } from 'node:crypto';
import type { BlockDefinition } from '../blocks/block.types.js';
import type { IntegrationCatalog } from '../blocks/integrations/integration-blocks.js';
import type { IntegrationFile, IntegrationOperation, IntegrationProblem, LoadedIntegration } from '../blocks/openapi/integration.types.js';
import type { AgentProblem } from '../agent-format/agent.problems.js';
import type { StoredOperation } from './integration-version.entity.js';

export const INTEGRATION_ACTIONS = ['create', 'update', 'unchanged', 'remove', 'invalid'] as const;
export type IntegrationAction = (typeof INTEGRATION_ACTIONS)[number];

export interface IntegrationPlanEntry {
  name: string;
  action: IntegrationAction;
  /** The integration file (for remove: the one it came from). */
  file: string | null;
  /** The version this sync records (create, update, remove); otherwise the newest recorded one. */
  version: number | null;
  previous_version: number | null;
  /** Block ids, against the newest recorded version. */
  operations: { added: string[]; changed: string[]; removed: string[] };
  notes: string[];
  problems: AgentProblem[];
}

/** The newest recorded version of an integration. */
export interface StoredIntegration {
  name: string;
  version: number;
  hash: string;
  file: string | null;
  removed: boolean;
  operations: StoredOperation[];
}

/** A version to record: the stored fields, and the definition its blocks are rebuilt from (null once removed). */
export interface IntegrationWrite extends StoredIntegration {
  definition: { file: IntegrationFile; operations: IntegrationOperation[] } | null;
}

export interface IntegrationsPlan {
  entries: IntegrationPlanEntry[];
  writes: IntegrationWrite[];
  /** The integration blocks after this plan: new ones where accepted, the last good ones where not. */
  blocks: BlockDefinition[];
  /** The integration names whose blocks `blocks` replaces in a registry. */
  names: string[];
}

export interface IntegrationsPlanInput {
  catalog: IntegrationCatalog;
  stored: ReadonlyMap<string, StoredIntegration>;
  /** The blocks the running registry holds now (the last good state of an integration recorded without its definition). */
  current: readonly BlockDefinition[];
  /** The blocks of an integration's newest recorded version, rebuilt from it (null when it holds no definition). */
  recordedBlocks: (name: string, version: number) => Promise<BlockDefinition[] | null>;
  /** Who uses a block: agents named by block id (asked only for blocks a change would break). */
  usersOf: (blocks: readonly string[]) => Promise<Map<string, string[]>>;
}

export function storedOperation(operation: IntegrationOperation): StoredOperation {
  const pins = Object.fromEntries(operation.pins.map((pin) => [pin.pin, `${pin.location} ${pin.required ? 'required' : 'optional'}`]));
  const hash = createHash('sha256').update(JSON.stringify(operation)).digest('hex').slice(0, 32);
  return { block: operation.blockId, operation_id: operation.operationId, method: operation.method, path: operation.path, pins, hash };
}

/** An agent that worked with `before` may break with `after`: another request, a pin gone, moved or newly required. */
function breaks(before: StoredOperation, after: StoredOperation): boolean {
  if (before.method !== after.method || before.path !== after.path) return true;
  for (const [pin, shape] of Object.entries(after.pins)) {
    const old = before.pins[pin];
    if (shape.endsWith('required') && old !== shape) return true;
  }
  return Object.entries(before.pins).some(([pin, shape]) => after.pins[pin]?.split(' ')[0] !== shape.split(' ')[0]);
}

const prefixOf = (name: string) => `${name}.`;

function asProblem(problem: IntegrationProblem): AgentProblem {
  return {
    pointer: '',
    severity: 'error',
    message: problem.message,
    file: problem.file,
    ...(problem.line !== undefined ? { line: problem.line } : {}),
    ...(problem.column !== undefined ? { column: problem.column } : {}),
  };
}

function emptyEntry(name: string, action: IntegrationAction, fields: Partial<IntegrationPlanEntry>): IntegrationPlanEntry {
  return { name, action, file: null, version: null, previous_version: null, operations: { added: [], changed: [], removed: [] }, notes: [], problems: [], ...fields };
}

export async function planIntegrations({ catalog, stored, current, usersOf, recordedBlocks }: IntegrationsPlanInput): Promise<IntegrationsPlan> {
  const entries: IntegrationPlanEntry[] = [];
  const writes: IntegrationWrite[] = [];
  const blocks: BlockDefinition[] = [];
  const loaded = new Map(catalog.integrations.map((integration) => [integration.file.name, integration]));
  const failed = new Map(catalog.failed.map((failure) => [failure.name, failure]));
  const names = [...new Set([...loaded.keys(), ...failed.keys(), ...[...stored.values()].filter((s) => !s.removed).map((s) => s.name)])].sort();
  const lastGood = async (name: string) => {
    const recorded = stored.get(name);
    const rebuilt = recorded && !recorded.removed ? await recordedBlocks(name, recorded.version) : null;
    return rebuilt ?? current.filter((block) => block.id.startsWith(prefixOf(name)));
  };

  // Candidates first: which blocks would each change break? One lookup of their users for all of them.
  const candidates = new Map<string, { integration: LoadedIntegration | null; operations: StoredOperation[]; added: string[]; changed: string[]; removed: string[]; breaking: string[] }>();
  for (const name of names) {
    if (failed.has(name)) continue;
    const integration = loaded.get(name) ?? null;
    const previous = stored.get(name);
    const before = new Map((previous && !previous.removed ? previous.operations : []).map((op) => [op.block, op]));
    const operations = integration ? integration.operations.map(storedOperation) : [];
    const after = new Map(operations.map((op) => [op.block, op]));
    const added = [...after.keys()].filter((block) => !before.has(block)).sort();
    const removed = [...before.keys()].filter((block) => !after.has(block)).sort();
    const changed = [...after.values()].filter((op) => before.has(op.block) && before.get(op.block)!.hash !== op.hash).map((op) => op.block).sort();
    const breaking = [...removed, ...changed.filter((block) => breaks(before.get(block)!, after.get(block)!))];
    candidates.set(name, { integration, operations, added, changed, removed, breaking });
  }
  const users = await usersOf([...candidates.values()].flatMap((c) => c.breaking));

  for (const name of names) {
    const previous = stored.get(name);
    const recorded = previous && !previous.removed ? previous : undefined;
    const base = { previous_version: previous?.version ?? null, version: previous?.version ?? null };
    const failure = failed.get(name);
    if (failure) {
      blocks.push(...(await lastGood(name)));
      const keeps = recorded ? `skipped: version ${recorded.version} stays` : 'skipped: no block is created until the file is valid';
      entries.push(emptyEntry(name, 'invalid', { ...base, file: failure.source, problems: failure.problems.map(asProblem), notes: [keeps] }));
      continue;
    }
    const { integration, operations, added, changed, removed, breaking } = candidates.get(name)!;
    const file = integration?.source ?? recorded?.file ?? null;
    const diff = { added, changed, removed };
    const broken = breaking.filter((block) => users.has(block));
    if (broken.length) {
      blocks.push(...(await lastGood(name)));
      const problems = broken.map((block) =>
        asProblem({
          file: file ?? name,
          message: `${removed.includes(block) ? 'removes' : 'changes (method, path or input pins)'} operation ${block}, which ${users.get(block)!.join(', ')} use${users.get(block)!.length === 1 ? 's' : ''}: change those agents first, or keep the operation`,
        }),
      );
      const keeps = recorded ? `skipped: version ${recorded.version} stays` : 'skipped';
      entries.push(emptyEntry(name, 'invalid', { ...base, file, operations: diff, problems, notes: [keeps] }));
      continue;
    }
    if (!integration) {
      const version = recorded!.version + 1;
      writes.push({ name, version, hash: '', file: recorded!.file, removed: true, operations: [], definition: null });
      entries.push(emptyEntry(name, 'remove', { ...base, version, file, operations: diff, notes: ['its file is gone: its blocks are no longer listed'] }));
      continue;
    }
    blocks.push(...catalog.blocks.filter((block) => block.id.startsWith(prefixOf(name))));
    if (recorded && recorded.hash === integration.hash) {
      entries.push(emptyEntry(name, 'unchanged', { ...base, file }));
      continue;
    }
    const version = (previous?.version ?? 0) + 1;
    writes.push({
      name,
      version,
      hash: integration.hash,
      file: integration.source,
      removed: false,
      operations,
      definition: { file: integration.file, operations: integration.operations },
    });
    entries.push(emptyEntry(name, recorded ? 'update' : 'create', { ...base, version, file, operations: diff }));
  }
  return { entries, writes, blocks, names };
}
