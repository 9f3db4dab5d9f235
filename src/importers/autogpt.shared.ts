// What the AutoGPT block mappings share: the source node and mapping shapes, dict keys as pin keys, template
// keys renamed with them, constants carried (secrets withheld, `${{` escaped), and table-driven pin mapping.
import type { MappedNode, UnmappedNode } from './import.builder.js';
import { escapeExpressions, withoutSecrets, type NodeIds } from './import.helpers.js';

export interface AutogptNode {
  id: string;
  block_id: string;
  input_default?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

export interface AutogptMapContext {
  ids: NodeIds;
  /** Input pins (base names) that some link feeds. */
  linkedInputs: Set<string>;
  /** Dict keys that links feed (`values_#_name` -> name). */
  linkedKeys: Set<string>;
  /** Agent names present in the agents folder (agent.run targets must exist). */
  knownAgents: ReadonlySet<string>;
  /** Sub-graph id -> its name, from the export's `sub_graphs`. */
  subGraphs: ReadonlyMap<string, string>;
  credential(name: string, field: string, note: string): void;
  withheld(field: string): void;
}

export interface AutogptBlockMapping {
  name: string;
  map(node: AutogptNode, context: AutogptMapContext): MappedNode | UnmappedNode;
}

export const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Pins are lower-case slugs here; AutoGPT dict keys (`prompt_values_#_TOPIC`) may not be. */
export function pinKey(key: string): string {
  const slug = key
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^[^a-z]+/, '');
  return slug || 'value';
}

/** `Hello {{TOPIC}}` with TOPIC renamed to topic: each renamed key inside `{{ }}` (Jinja and Liquid alike). */
export function renameTemplateKeys(template: string, keys: Iterable<string>): string {
  let text = template;
  for (const key of keys) {
    const renamed = pinKey(key);
    if (renamed === key) continue;
    const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    text = text.replace(new RegExp(`(\\{\\{[^}]*?)\\b${escaped}\\b`, 'g'), `$1${renamed}`);
  }
  return text;
}

export function constants(node: AutogptNode, context: AutogptMapContext, pins: Record<string, string>): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const [theirs, ours] of Object.entries(pins)) {
    const value = node.input_default?.[theirs];
    if (value === undefined || value === null || context.linkedInputs.has(theirs)) continue;
    inputs[ours] = escapeExpressions(withoutSecrets(value, theirs, context.withheld));
  }
  return inputs;
}

/** A mapped node whose pins translate by a table (`their pin -> our pin`); dict keys carry over. */
export function byTable(id: string, block: string, inputs: Record<string, unknown>, ins: Record<string, string>, outs: Record<string, string>): MappedNode {
  return {
    id,
    nodes: { [id]: { block, ...(Object.keys(inputs).length ? { inputs } : {}) } },
    sink: (pin, path) => (ins[pin] ? [`${id}.${ins[pin]}`, ...path.map(pinKey)].join('.') : null),
    source: (pin) => (outs[pin] ? `${id}.${outs[pin]}` : null),
  };
}
