// The agent test an importer writes: one run with the outside world mocked (LLM, HTTP, GitHub, messages,
// sub-agents, code), sample inputs or a sample trigger event, expecting the run to complete. Mocked
// values carry exactly the keys the agent's links pick out of them, so the pure nodes run for real.
import type { BlockLookup, JsonSchema } from '../blocks/block.types.js';
import type { AgentDocument, AgentTestDocument } from './import.types.js';

const MOCKED_CATEGORIES = new Set(['ai', 'http', 'github', 'communication', 'agent', 'code']);

function sample(schema: JsonSchema | undefined, label: string): unknown {
  const type = schema?.type;
  if (type === 'string') return `sample ${label}`;
  if (type === 'integer' || type === 'number') return 1;
  if (type === 'boolean') return true;
  if (type === 'array') return [];
  if (type === 'object') return {};
  return `sample ${label}`;
}

/** `value` with `path` set (objects created on the way); the leaf is a sample text. */
function withPath(value: unknown, path: readonly string[], label: string): unknown {
  if (path.length === 0) return value ?? `sample ${label}`;
  const base = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const [head, ...rest] = path;
  return { ...base, [head!]: withPath(base[head!], rest, label) };
}

/** The smoke test for `agent`, or null when it has neither an input nor a trigger to start it. */
export function smokeTest(agent: AgentDocument, blocks: BlockLookup): AgentTestDocument | null {
  const ends = agent.links.map((link) => (typeof link === 'string' ? (link.split(' -> ') as [string, string]) : ([link.from, link.to] as [string, string])));
  // Pins that pass a value through (logic.condition yes/no, value.store output): keys picked from them are keys of the origin.
  const alias = new Map<string, string>();
  for (const [from, to] of ends) {
    const [node, pin] = to.split('.');
    const block = agent.nodes[node!]?.block;
    if (block === 'logic.condition' && (pin === 'yes_value' || pin === 'no_value')) alias.set(`${node}.${pin === 'yes_value' ? 'yes' : 'no'}`, from);
    if (block === 'value.store' && pin === 'data') alias.set(`${node}.output`, from);
  }
  const origin = (from: string): string => {
    for (let hops = 0; hops < 50; hops++) {
      const [node, pin, ...path] = from.split('.');
      const target = alias.get(`${node}.${pin}`);
      if (!target) return from;
      from = [target, ...path].join('.');
    }
    return from;
  };
  const sources = new Map<string, Map<string, string[][]>>();
  for (const [rawFrom] of ends) {
    for (const from of new Set([rawFrom, origin(rawFrom)])) {
      const [node, pin, ...path] = from.split('.');
      const pins = sources.get(node!) ?? new Map<string, string[][]>();
      pins.set(pin!, [...(pins.get(pin!) ?? []), path]);
      sources.set(node!, pins);
    }
  }
  const valuesOf = (nodeId: string, outputs: JsonSchema | undefined): Record<string, unknown> => {
    const yielded: Record<string, unknown> = {};
    const properties = (outputs?.properties ?? {}) as Record<string, JsonSchema>;
    for (const [pin, paths] of sources.get(nodeId) ?? []) {
      if (pin === 'error') continue;
      let value: unknown = paths.some((p) => p.length > 0) ? {} : sample(properties[pin], `${nodeId}.${pin}`);
      for (const path of paths) if (path.length) value = withPath(value, path, `${nodeId}.${pin}`);
      yielded[pin] = value;
    }
    return yielded;
  };
  const mocks: AgentTestDocument['mocks'] = {};
  const inputs: Record<string, unknown> = {};
  let trigger: AgentTestDocument['trigger'];
  for (const [id, node] of Object.entries(agent.nodes)) {
    const block = blocks.get(node.block);
    if (!block) continue;
    if (block.id === 'input') {
      if (node.inputs?.default === undefined) inputs[String(node.inputs?.name)] = `sample ${String(node.inputs?.name)}`;
    } else if (block.trigger) {
      trigger ??= { node: id, outputs: valuesOf(id, block.outputSchema) };
    } else if (MOCKED_CATEGORIES.has(block.category)) {
      mocks[id] = valuesOf(id, block.outputSchema);
    }
  }
  const hasInputs = Object.values(agent.nodes).some((n) => n.block === 'input');
  if (!hasInputs && !trigger) return null;
  return {
    name: 'imported: runs end to end with the outside world mocked',
    ...(hasInputs ? { inputs } : { trigger: trigger! }),
    mocks,
    expect: { status: 'COMPLETED' },
  };
}
