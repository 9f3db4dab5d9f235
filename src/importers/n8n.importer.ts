// `trellis import n8n`: an n8n workflow file (`nodes` with name/type/parameters, `connections` by source
// node name: `{main: [[{node, type, index}], ...]}` per output) as an agent document and a report. Nodes
// are mapped in connection order, so each knows the item it receives; expressions become links.
import type { BlockLookup } from '../blocks/block.types.js';
import { AgentBuilder } from './import.builder.js';
import { agentNameOf, NodeIds } from './import.helpers.js';
import { smokeTest } from './import.smoke-test.js';
import { ImportError, type ImportResult } from './import.types.js';
import { N8nNodeContext, type N8nMapped, type N8nNode, type N8nUnmapped } from './n8n.context.js';
import type { ItemSource } from './n8n.expressions.js';
import { N8N_NODES, type N8nMapper } from './n8n.nodes.js';

interface Connection {
  node: string;
  type?: string;
  index?: number;
}

interface Workflow {
  name?: string;
  nodes: N8nNode[];
  connections: Record<string, Record<string, Array<Connection[] | null>>>;
}

const NOTES = new Set(['n8n-nodes-base.stickyNote']);
const PASS_THROUGH = new Set(['n8n-nodes-base.noOp', 'n8n-nodes-base.manualTrigger', 'n8n-nodes-base.start']);

function parseWorkflow(value: unknown): Workflow {
  const w = value as Partial<Workflow> | null;
  if (!w || typeof w !== 'object' || !Array.isArray(w.nodes)) {
    throw new ImportError(
      'this is not an n8n workflow file: expected an object with a "nodes" list and "connections" (download it from the n8n editor: ... > Download)',
    );
  }
  for (const [index, node] of w.nodes.entries()) {
    if (!node || typeof node.name !== 'string' || typeof node.type !== 'string')
      throw new ImportError(`nodes[${index}] has no "name" and "type": is this an n8n workflow file?`);
  }
  return { ...w, nodes: w.nodes, connections: (w.connections ?? {}) as Workflow['connections'] };
}

export function importN8n(value: unknown, options: { fileName: string; blocks: BlockLookup; knownAgents?: ReadonlySet<string> }): ImportResult {
  const workflow = parseWorkflow(value);
  const name = agentNameOf(workflow.name ?? '', agentNameOf(options.fileName, 'imported-agent'));
  const builder = new AgentBuilder('n8n', name);
  const ids = new NodeIds();
  const byName = new Map(workflow.nodes.map((n) => [n.name, n]));

  // Incoming main connections per node: [source name, source output index]; sub-node connections (ai_*) apart.
  const incoming = new Map<string, Array<[string, number]>>();
  const subNodeOf = new Map<string, string>();
  for (const [source, kinds] of Object.entries(workflow.connections)) {
    for (const [kind, outputs] of Object.entries(kinds ?? {})) {
      (outputs ?? []).forEach((targets, output) => {
        for (const target of targets ?? []) {
          if (kind === 'main') incoming.set(target.node, [...(incoming.get(target.node) ?? []), [source, output]]);
          else subNodeOf.set(source, `${target.node} (${kind})`);
        }
      });
    }
  }

  const mapped = new Map<string, N8nMapped>();
  const done = new Set<string>();
  const order: N8nNode[] = [];
  // Depth-first from each node's sources, so upstream items are known first (loops: first visit wins).
  const visit = (node: N8nNode, path: Set<string>) => {
    if (done.has(node.name) || path.has(node.name)) return;
    path.add(node.name);
    for (const [source] of incoming.get(node.name) ?? []) {
      const upstream = byName.get(source);
      if (upstream) visit(upstream, path);
    }
    path.delete(node.name);
    done.add(node.name);
    order.push(node);
  };
  for (const node of workflow.nodes) visit(node, new Set());

  const itemOf = (source: string, output: number): ItemSource | null => mapped.get(source)?.outputs[output] ?? null;
  const named = (nodeName: string) => itemOf(nodeName, 0);

  for (const node of order) {
    if (NOTES.has(node.type)) {
      builder.addUnmapped(node.name, node.type, {
        reasons: ['a note in the editor'],
        todo: 'nothing: copy its text into the description if useful',
        skipped: true,
      });
      continue;
    }
    if (node.disabled) {
      builder.addUnmapped(node.name, node.type, {
        reasons: ['it is disabled in the workflow'],
        todo: 'nothing, or map it by hand if it should run',
        skipped: true,
      });
      continue;
    }
    const sources = incoming.get(node.name) ?? [];
    const inputs = sources.map(([source, output]) => itemOf(source, output));
    const unmappedSource = sources.find(([source], i) => inputs[i] === null && !PASS_THROUGH.has(byName.get(source)?.type ?? ''));
    if (PASS_THROUGH.has(node.type)) {
      mapped.set(node.name, { id: '', outputs: [inputs[0] ?? null] });
      builder.report.nodes.push({ source: node.name, type: node.type, status: 'mapped', nodes: [], reasons: [] });
      continue;
    }
    const subNode = subNodeOf.get(node.name);
    if (subNode) {
      builder.addUnmapped(node.name, node.type, { reasons: [`a sub-node of ${subNode}, which does not map`], todo: 'rebuild it together with that node' });
      continue;
    }
    if (unmappedSource) {
      builder.addUnmapped(node.name, node.type, {
        reasons: [`it receives its items from "${unmappedSource[0]}", which did not map`],
        todo: `map "${unmappedSource[0]}" by hand first, then this node`,
      });
      continue;
    }
    const mapper = node.type === 'n8n-nodes-base.merge' ? mergeMapper(node, inputs) : N8N_NODES[node.type];
    if (!mapper) {
      builder.addUnmapped(node.name, node.type, {
        reasons: [`n8n node type ${node.type} has no equivalent here`],
        todo: 'rebuild this step with the blocks listed by `trellis blocks` (http.request reaches most APIs; an integration adds a whole OpenAPI service)',
      });
      continue;
    }
    const distinct = new Set(inputs.map((i) => JSON.stringify(i)));
    const scope = { input: distinct.size === 1 ? inputs[0]! : null, named };
    const context = new N8nNodeContext(node, scope, ids, builder, options.knownAgents ?? new Set());
    const result = mapper(context);
    if ('reasons' in result) {
      builder.addUnmapped(node.name, node.type, result);
      continue;
    }
    if (context.blocker) {
      builder.addUnmapped(node.name, node.type, { reasons: [context.blocker], todo: 'set that value by hand in the agent file' });
      continue;
    }
    if ('gate' in result && result.gate && scope.input) gate(context, result.id, result.gate, scope.input);
    for (const [id, doc] of Object.entries(context.nodes)) builder.nodes[id] = doc;
    for (const [from, to] of context.links) builder.link(from, to, false);
    mapped.set(node.name, result);
    builder.report.nodes.push({
      source: node.name,
      type: node.type,
      status: context.lost.length ? 'partial' : 'mapped',
      nodes: Object.keys(context.nodes),
      reasons: context.lost,
      ...(context.lost.length ? { todo: 'check the points above in the agent file' } : {}),
    });
  }
  for (const [target, sources] of incoming) {
    for (const [source, output] of sources) {
      if (!mapped.has(target) || !mapped.has(source)) builder.dropLink(`${source} -> ${target}`, `"${mapped.has(source) ? target : source}" did not map`);
      else if (mapped.get(source)!.outputs[output] === null || mapped.get(source)!.outputs[output] === undefined)
        builder.dropLink(`${source} (output ${output}) -> ${target}`, 'that output has no equivalent here');
    }
  }
  const agent = builder.agent(name, undefined);
  const test = smokeTest(agent, options.blocks);
  if (test) agent.tests = [test];
  return { agent, report: builder.report };
}

/**
 * A node that receives its item but links nothing from it would run at once, not after its upstream
 * node: its `pin` constant is released by a value.store when the item arrives.
 */
function gate(context: N8nNodeContext, id: string, pin: string, item: ItemSource): void {
  const refs = item.map((i) => i.ref);
  if (context.links.some(([from]) => refs.some((ref) => from === ref || from.startsWith(`${ref}.`)))) return;
  const node = context.nodes[id]!;
  const store = context.ids.take(`${id}_when_ready`);
  const constant = node.inputs?.[pin];
  const existing = context.links.findIndex(([, to]) => to === `${id}.${pin}`);
  context.nodes[store] = { block: 'value.store', ...(constant !== undefined ? { inputs: { data: constant } } : {}) };
  if (constant !== undefined) node.inputs = Object.fromEntries(Object.entries(node.inputs!).filter(([key]) => key !== pin));
  else if (existing >= 0) context.links[existing] = [context.links[existing]![0], `${store}.data`];
  context.links.push([item[0]!.ref, `${store}.input`], [`${store}.output`, `${id}.${pin}`]);
}

/** Merge as a join (combine by position / merge by index): both items as one object; other modes are not joins. */
function mergeMapper(node: N8nNode, inputs: Array<ItemSource | null>): N8nMapper {
  return (context: N8nNodeContext): N8nMapped | N8nUnmapped => {
    const p = node.parameters ?? {};
    const join = p.mode === 'mergeByIndex' || (p.mode === 'combine' && (p.combineBy ?? p.combinationMode) === 'combineByPosition') || p.mode === 'multiplex';
    if (!join) {
      return {
        reasons: [`mode "${String(p.mode ?? 'append')}" is not a join`],
        todo: 'link both upstream nodes into the next node directly (each value runs it once), or collect them with list.collect',
      };
    }
    if (inputs.length !== 2 || !inputs[0] || !inputs[1]) return { reasons: ['a join needs both of its inputs mapped'], todo: 'map both inputs first' };
    const both = context.take('pair');
    const parsed = context.take('parsed');
    const id = context.take();
    context.add(both, { block: 'text.template', inputs: { template: '{"a": {{ a | json }}, "b": {{ b | json }}}', values: {} } });
    context.link(inputs[0][0]!.ref, `${both}.values.a`);
    context.link(inputs[1][0]!.ref, `${both}.values.b`);
    context.add(parsed, { block: 'json.parse' });
    context.link(`${both}.text`, `${parsed}.text`);
    context.add(id, { block: 'json.query', inputs: { expression: '$merge([a, b])' } });
    context.link(`${parsed}.value`, `${id}.data`);
    return { id, outputs: [[{ ref: `${id}.result`, prefix: [] }]] };
  };
}
