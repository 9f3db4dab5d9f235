// `trellis import autogpt`: an AutoGPT Platform graph export (`nodes` with `block_id` and `input_default`,
// `links` with `source_name`/`sink_name`; dict, list and object pins linked as `values_#_key`, `items_$_0`,
// `obj_@_attr`) as an agent document and a report of what did not map.
import type { BlockLookup } from '../blocks/block.types.js';
import { AUTOGPT_BLOCKS, pinKey, type AutogptNode } from './autogpt.blocks.js';
import { AgentBuilder, type MappedNode } from './import.builder.js';
import { agentNameOf, NodeIds } from './import.helpers.js';
import { smokeTest } from './import.smoke-test.js';
import { ImportError, type ImportResult } from './import.types.js';

interface AutogptLink {
  source_id: string;
  sink_id: string;
  source_name: string;
  sink_name: string;
  is_static?: boolean;
}

interface AutogptGraph {
  name?: string;
  description?: string;
  nodes: AutogptNode[];
  links?: AutogptLink[];
  sub_graphs?: Array<{ id?: string; name?: string }>;
}

/** `values_#_name` -> [values, name]; `items_$_0` -> [items, 0]; `obj_@_attr` -> [obj, attr]. */
export function splitPin(name: string): { pin: string; path: string[] } {
  const [pin, ...path] = name.split(/_[#$@]_/);
  return { pin: pin!, path };
}

function parseGraph(value: unknown): AutogptGraph {
  const graph = (value && typeof value === 'object' && 'graph' in value ? (value as { graph: unknown }).graph : value) as Partial<AutogptGraph> | null;
  if (!graph || typeof graph !== 'object' || !Array.isArray(graph.nodes)) {
    throw new ImportError(
      'this is not an AutoGPT graph export: expected an object with a "nodes" list (and "links"); export the agent from the AutoGPT builder',
    );
  }
  for (const [index, node] of graph.nodes.entries()) {
    if (!node || typeof node.id !== 'string' || typeof node.block_id !== 'string')
      throw new ImportError(`nodes[${index}] has no "id" and "block_id": is this an AutoGPT graph export?`);
  }
  const links = graph.links ?? graph.nodes.flatMap((node) => (node as { input_links?: AutogptLink[] }).input_links ?? []);
  return { ...graph, nodes: graph.nodes, links } as AutogptGraph;
}

export function importAutogpt(value: unknown, options: { fileName: string; blocks: BlockLookup; knownAgents?: ReadonlySet<string> }): ImportResult {
  const graph = parseGraph(value);
  const name = agentNameOf(graph.name ?? '', agentNameOf(options.fileName, 'imported-agent'));
  const builder = new AgentBuilder('autogpt', name);
  const ids = new NodeIds();
  const subGraphs = new Map((graph.sub_graphs ?? []).filter((g) => g.id && g.name).map((g) => [g.id!, g.name!]));
  const links = graph.links ?? [];
  const mapped = new Map<string, MappedNode>();
  const labels = new Map<string, string>();

  for (const node of graph.nodes) {
    const mapping = AUTOGPT_BLOCKS[node.block_id];
    const type = mapping?.name ?? `block ${node.block_id}`;
    const label = `${node.id} (${type})`;
    labels.set(node.id, label);
    if (!mapping) {
      builder.addUnmapped(label, type, {
        reasons: [`AutoGPT block ${node.block_id} has no equivalent block here`],
        todo: 'rebuild this step with the blocks listed by `trellis blocks` (http.request reaches most APIs; an integration adds a whole OpenAPI service)',
      });
      continue;
    }
    const incoming = links.filter((l) => l.sink_id === node.id).map((l) => splitPin(l.sink_name));
    const result = mapping.map(node, {
      ids,
      linkedInputs: new Set(incoming.map((l) => l.pin)),
      linkedKeys: new Set(incoming.flatMap((l) => l.path.slice(0, 1))),
      knownAgents: options.knownAgents ?? new Set(),
      subGraphs,
      credential: (credential, field, note) => builder.credential(credential, label, field, note),
      withheld: (field) => builder.withheld(label, field),
    });
    if ('reasons' in result) builder.addUnmapped(label, type, result);
    else {
      mapped.set(node.id, result);
      builder.addMapped(label, type, result);
    }
  }

  for (const link of links) {
    const description = `${labels.get(link.source_id) ?? link.source_id}.${link.source_name} -> ${labels.get(link.sink_id) ?? link.sink_id}.${link.sink_name}`;
    const from = mapped.get(link.source_id);
    const to = mapped.get(link.sink_id);
    if (!from || !to) {
      builder.dropLink(description, `${from ? 'the sink' : 'the source'} node did not map`);
      continue;
    }
    const source = splitPin(link.source_name);
    const sink = splitPin(link.sink_name);
    const fromPin = from.source(source.pin);
    const toPin = to.sink(sink.pin, sink.path);
    if (!fromPin || !toPin) {
      builder.dropLink(description, `pin "${fromPin ? link.sink_name : link.source_name}" has no equivalent here`);
      continue;
    }
    const fromPath = [fromPin, ...source.path.map(pinKey)].join('.');
    builder.link(fromPath, toPin, link.is_static === true && builder.nodes[from.id]?.block !== 'input');
    // StoreValueBlock yields its input when no data is given: feed the same value to value.store's data.
    const sinkNode = builder.nodes[to.id];
    if (
      sinkNode?.block === 'value.store' &&
      sink.pin === 'input' &&
      sinkNode.inputs?.data === undefined &&
      !links.some((l) => l.sink_id === link.sink_id && l.sink_name === 'data')
    ) {
      builder.link(fromPath, `${to.id}.data`, false);
    }
  }

  const agent = builder.agent(name, graph.description ?? undefined);
  const test = smokeTest(agent, options.blocks);
  if (test) agent.tests = [test];
  return { agent, report: builder.report };
}
