// What the execute API refuses before anything is created (400 listing every problem): unknown or missing
// inputs, values not fitting an input's type, an unknown trigger node, credentials that do not resolve.
import type { Problem } from '../common/errors.js';
import type { CredentialResolver } from '../blocks/credential-resolver.js';
import { compileDataSchema, problemsFromErrors, schemaProblem } from '../blocks/pin-validation.js';
import type { JsonSchema } from '../blocks/block.types.js';
import type { CompiledGraph } from './engine/graph.compiler.js';
import { fileTrustedFields } from './file-trust.js';

export interface RunRequest {
  inputs: Record<string, unknown>;
  trigger: { node: string; outputs: Record<string, unknown> } | null;
  /** node id -> credential field -> credential name (overrides the node's own names). */
  credentials: Record<string, Record<string, string>>;
}

/** `fileTrust`: the execution will be admitted by file trust (file-trust.ts), so names from the file may use it. */
export async function checkRunRequest(
  graph: CompiledGraph,
  request: RunRequest,
  resolver: CredentialResolver,
  userId: string,
  fileTrust = false,
): Promise<Problem[]> {
  const problems: Problem[] = [];
  const inputs = graph.inputNodes;
  const names = inputs.map((n) => n.name!);
  if (request.trigger) {
    const node = graph.nodes.get(request.trigger.node);
    if (node?.kind !== 'trigger') {
      const triggers = graph.nodeList.filter((n) => n.kind === 'trigger').map((n) => n.id);
      problems.push({
        pointer: '/trigger/node',
        node: request.trigger.node,
        message: `"${request.trigger.node}" is not a trigger node of ${graph.name}; its trigger nodes are: ${triggers.join(', ') || 'none'}`,
      });
    }
    if (Object.keys(request.inputs).length > 0)
      problems.push({ pointer: '/inputs', message: 'give either `inputs` or `trigger`, not both: a trigger run seeds inputs with their defaults' });
  }
  for (const name of Object.keys(request.inputs)) {
    if (!names.includes(name))
      problems.push({ pointer: `/inputs/${name}`, message: `"${name}" is not an input of ${graph.name}; its inputs are: ${names.join(', ') || 'none'}` });
  }
  const missing: string[] = [];
  for (const node of inputs) {
    const name = node.name!;
    const given = Object.prototype.hasOwnProperty.call(request.inputs, name);
    if (!given && !node.hasDefault) {
      if (!request.trigger) missing.push(name);
      continue;
    }
    const type = node.constants.type;
    if (!given || type === undefined) continue;
    const schema = (typeof type === 'string' ? { type } : type) as JsonSchema;
    if (schemaProblem(schema)) continue;
    const validate = compileDataSchema(schema);
    if (!validate(request.inputs[name])) {
      for (const p of problemsFromErrors(validate.errors))
        problems.push({ pointer: `/inputs/${name}${p.pointer ?? ''}`, message: `input "${name}": ${p.message}` });
    }
  }
  for (const name of missing)
    problems.push({ pointer: `/inputs/${name}`, message: `input "${name}" is required (it has no default): give it as inputs.${name}` });
  for (const nodeId of Object.keys(request.credentials)) {
    if (!graph.nodes.get(nodeId)) problems.push({ pointer: `/credentials/${nodeId}`, message: `"${nodeId}" is not a node of ${graph.name}` });
  }
  for (const node of graph.nodeList) {
    if (node.kind !== 'block' || !node.block.credentials || Object.keys(node.block.credentials).length === 0) continue;
    const names = { ...(node.definition.credentials ?? {}), ...(request.credentials[node.id] ?? {}) };
    const fileTrusted = fileTrustedFields(fileTrust, Object.keys(node.block.credentials), request.credentials[node.id]);
    const { problems: unresolved } = await resolver.resolve({ block: node.block, names, userId, fileTrusted, fromFile: fileTrust });
    for (const p of unresolved)
      problems.push({
        ...p,
        // A block its integration's `allow` does not admit is the node's problem, not a credential field's.
        pointer: p.pointer === '/block' ? `/nodes/${node.id}/block` : `/credentials/${node.id}${(p.pointer ?? '').replace(/^\/credentials/, '')}`,
        node: node.id,
        message: `node "${node.id}": ${p.message}`,
      });
  }
  return problems;
}
