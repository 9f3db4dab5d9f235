// The canonical form of an agent and its content hash. Comments, key order, the link form (string or
// object), link order and formatting never change the hash; a change of meaning always does. Defaults
// are made explicit only where two spellings of the same thing would otherwise hash apart.
import { createHash } from 'node:crypto';
import type { AgentDefinition, LinkDefinition, NodeDefinition } from './graph.types.js';
import { formatLink } from './agent.links.js';

/** Links out of `input` nodes are always static, whether the file says so or not. */
const ALWAYS_STATIC_SOURCES = new Set(['input']);

export function canonicalize(agent: AgentDefinition): AgentDefinition {
  const nodes: Record<string, NodeDefinition> = {};
  for (const id of Object.keys(agent.nodes).sort()) nodes[id] = canonicalNode(agent.nodes[id]!);
  const links = new Map<string, LinkDefinition>();
  for (const link of agent.links) {
    const source = agent.nodes[link.from.node];
    const isStatic = link.static || (source !== undefined && ALWAYS_STATIC_SOURCES.has(source.block));
    const canonical: LinkDefinition = {
      from: { node: link.from.node, pin: link.from.pin, path: [...link.from.path] },
      to: { node: link.to.node, pin: link.to.pin, ...(link.to.key !== undefined ? { key: link.to.key } : {}) },
      static: isStatic,
    };
    links.set(`${formatLink(canonical)}${isStatic ? ' static' : ''}`, canonical);
  }
  const out: AgentDefinition = {
    name: agent.name,
    nodes,
    links: [...links.keys()].sort().map((key) => links.get(key)!),
  };
  if (agent.description !== undefined) out.description = agent.description;
  if (agent.owner !== undefined) out.owner = agent.owner;
  if (agent.concurrency !== undefined) out.concurrency = agent.concurrency;
  if (agent.timeout !== undefined) out.timeout = agent.timeout;
  if (agent.max_parallel !== undefined) out.max_parallel = agent.max_parallel;
  if (agent.notify && (agent.notify.on_success.length || agent.notify.on_failure.length)) {
    out.notify = { on_success: [...agent.notify.on_success], on_failure: [...agent.notify.on_failure] };
  }
  if (agent.vars && Object.keys(agent.vars).length) out.vars = sortKeys(agent.vars) as Record<string, unknown>;
  if (agent.tests?.length) out.tests = sortKeys(agent.tests) as AgentDefinition['tests'];
  return out;
}

function canonicalNode(node: NodeDefinition): NodeDefinition {
  const out: NodeDefinition = {
    block: node.block,
    inputs: sortKeys(node.inputs) as Record<string, unknown>,
    credentials: sortKeys(node.credentials) as Record<string, string>,
  };
  if (node.retry) {
    // `on: transient` is the default: written or not, the node is the same.
    const { on, ...retry } = node.retry;
    out.retry = on === undefined || on === 'transient' ? retry : { ...retry, on: [...on] };
  }
  if (node.timeout !== undefined) out.timeout = node.timeout;
  if (node.concurrency !== undefined) out.concurrency = node.concurrency;
  if (node.description !== undefined) out.description = node.description;
  return out;
}

/** A deep copy with every object's keys in sorted order (lists keep theirs). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) out[key] = sortKeys(item);
    }
    return out;
  }
  return value;
}

/** JSON with object keys sorted at every level: equal values give equal text. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** The hex sha256 of the stable JSON of the canonical form (64 characters). */
export function hashAgent(agent: AgentDefinition): string {
  return hashCanonical(canonicalize(agent));
}

/** hashAgent of a definition canonicalize() returned (the validator's): canonicalizing it again changes nothing. */
export function hashCanonical(agent: AgentDefinition): string {
  return createHash('sha256').update(stableStringify(agent)).digest('hex');
}
