// A stored (canonical) agent shown back in the agent format: what GET /api/graphs/{id} answers, so a
// client can edit it and PUT it back. Durations become text again (`30s`), links the "a.out -> b.in" form.
import { formatLink, formatSink, formatSource } from '../agent-format/agent.links.js';
import { formatDuration } from '../common/units.js';
import type { AgentDefinition, LinkDefinition, NodeDefinition } from '../agent-format/graph.types.js';

export interface NodeDocument {
  block: string;
  inputs: Record<string, unknown>;
  credentials: Record<string, string>;
  retry?: { attempts: number; backoff: string; delay: string; max_delay?: string };
  timeout?: string;
  description?: string;
}

/** A link as the format writes it: text, or the object form when it is static. */
export type LinkDocument = string | { from: string; to: string; static: true };

/** A trigger node of a graph: its id, its block and its constant inputs (`[{node, block, ...inputs}]`). */
export type TriggerView = { node: string; block: string } & Record<string, unknown>;

export function nodeDocument(node: NodeDefinition): NodeDocument {
  const out: NodeDocument = { block: node.block, inputs: node.inputs, credentials: node.credentials };
  if (node.retry) {
    out.retry = { attempts: node.retry.attempts, backoff: node.retry.backoff, delay: formatDuration(node.retry.delay) };
    if (node.retry.max_delay !== undefined) out.retry.max_delay = formatDuration(node.retry.max_delay);
  }
  if (node.timeout !== undefined) out.timeout = formatDuration(node.timeout);
  if (node.description !== undefined) out.description = node.description;
  return out;
}

export function linkDocument(link: LinkDefinition): LinkDocument {
  return link.static ? { from: formatSource(link.from), to: formatSink(link.to), static: true } : formatLink(link);
}

export function nodesDocument(agent: AgentDefinition): Record<string, NodeDocument> {
  const nodes: Record<string, NodeDocument> = {};
  for (const [id, node] of Object.entries(agent.nodes)) nodes[id] = nodeDocument(node);
  return nodes;
}

/** The whole agent in the format of agent files (and of POST /api/graphs bodies). */
export function toAgentDocument(agent: AgentDefinition): Record<string, unknown> {
  const doc: Record<string, unknown> = { name: agent.name };
  if (agent.description !== undefined) doc.description = agent.description;
  if (agent.owner !== undefined) doc.owner = agent.owner;
  if (agent.concurrency !== undefined) doc.concurrency = agent.concurrency;
  if (agent.timeout !== undefined) doc.timeout = formatDuration(agent.timeout);
  if (agent.max_parallel !== undefined) doc.max_parallel = agent.max_parallel;
  if (agent.notify) doc.notify = agent.notify;
  doc.nodes = nodesDocument(agent);
  doc.links = agent.links.map(linkDocument);
  if (agent.tests?.length) doc.tests = agent.tests;
  return doc;
}

/** The trigger nodes of an agent, by node id. `isTrigger` says which blocks are triggers (the registry knows). */
export function triggerNodes(
  agent: AgentDefinition,
  isTrigger: (block: string) => boolean,
): Array<{ node: string; block: string; inputs: Record<string, unknown>; credentials: Record<string, string> }> {
  return Object.keys(agent.nodes)
    .sort()
    .filter((id) => isTrigger(agent.nodes[id]!.block))
    .map((id) => ({ node: id, block: agent.nodes[id]!.block, inputs: agent.nodes[id]!.inputs, credentials: agent.nodes[id]!.credentials }));
}

/** Trigger nodes as GET /api/graphs shows them; a trigger the server disabled carries `disabled_reason`. */
export function triggerViews(agent: AgentDefinition, isTrigger: (block: string) => boolean, disabled: ReadonlyMap<string, string> = new Map()): TriggerView[] {
  return triggerNodes(agent, isTrigger).map(({ node, block, inputs }) => {
    const reason = disabled.get(node);
    return { ...inputs, node, block, ...(reason !== undefined ? { disabled_reason: reason } : {}) };
  });
}
