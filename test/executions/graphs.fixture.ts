// Agents for the execution tests, written straight into graphs / graph_versions (as sync would).
import type { DataSource } from 'typeorm';
import type { AgentDefinition, LinkDefinition, NodeDefinition } from '../../src/agent-format/graph.types.js';

export function node(block: string, inputs: Record<string, unknown> = {}, extra: Partial<NodeDefinition> = {}): NodeDefinition {
  return { block, inputs, credentials: {}, ...extra };
}

export function link(from: string, to: string, isStatic = false): LinkDefinition {
  const [fromNode, fromPin, ...path] = from.split('.');
  const [toNode, toPin] = to.split('.');
  return { from: { node: fromNode!, pin: fromPin!, path }, to: { node: toNode!, pin: toPin! }, static: isStatic };
}

export async function saveAgent(dataSource: DataSource, definition: AgentDefinition, options: { version?: number; ownerId?: string } = {}): Promise<void> {
  const version = options.version ?? 1;
  await dataSource.query(
    `INSERT INTO graphs (id, description, source, owner_id, active, active_version, latest_version, file) VALUES ($1, $2, 'file', $3, true, $4, $4, 'agents/' || $1 || '.yaml')
     ON CONFLICT (id) DO UPDATE SET active_version = $4, latest_version = $4`,
    [definition.name, definition.description ?? null, options.ownerId ?? null, version],
  );
  await dataSource.query(`INSERT INTO graph_versions (graph_id, version, definition, hash) VALUES ($1, $2, $3, $4)`, [
    definition.name,
    version,
    JSON.stringify(definition),
    `hash-${definition.name}-${version}`,
  ]);
}

/** input text -> output result (through `mid` blocks). */
export function echoAgent(name: string, extraNodes: Record<string, NodeDefinition> = {}, extraLinks: LinkDefinition[] = []): AgentDefinition {
  return {
    name,
    nodes: { text: node('input', { name: 'text', type: 'string' }), result: node('output', { name: 'result' }), ...extraNodes },
    links: extraLinks.length > 0 ? extraLinks : [link('text.value', 'result.value')],
  };
}
