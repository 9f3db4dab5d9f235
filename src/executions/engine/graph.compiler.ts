// Compiles an AgentDefinition once per graph version into what the scheduler consults on every value:
// per node its input slots (by pin, and by sink-side dict key), outgoing links by pin, required pins that
// nothing can satisfy, pin modes, and a rank (topological order, cycles broken by definition order).
import { validationFailed, type Problem } from '../../common/errors.js';
import type { BlockDefinition, BlockLookup } from '../../blocks/block.types.js';
import type { AgentDefinition, NodeDefinition, RetryPolicy } from '../../agent-format/graph.types.js';

/** `queue`: each value used by one run (FIFO). `held`: the last value reused by every run (static, sticky). `gather`: all values to one run. */
export type SlotMode = 'queue' | 'held' | 'gather';

/** One place a link can put a value: a whole pin, or one key of a dict-typed pin. */
export interface CompiledSlot {
  index: number;
  /** `pin`, or `pin.key`: the key of this slot in an INCOMPLETE run's inputs. */
  key: string;
  pin: string;
  dictKey: string | null;
  mode: SlotMode;
}

export interface CompiledLink {
  source: string;
  sourcePin: string;
  /** Source-side key path (`a.out.k1.k2` -> `['k1', 'k2']`). */
  path: readonly string[];
  sink: string;
  slot: CompiledSlot;
  /** `from -> to` as written, for messages. */
  label: string;
}

export type NodeKind = 'input' | 'output' | 'trigger' | 'block';

export interface CompiledNode {
  id: string;
  kind: NodeKind;
  blockId: string;
  block: BlockDefinition;
  definition: NodeDefinition;
  constants: Record<string, unknown>;
  retry: RetryPolicy | null;
  /** Runs of this node RUNNING or WAITING at once (node `concurrency`), or null for no limit of its own. */
  concurrency: number | null;
  slots: CompiledSlot[];
  queueSlots: CompiledSlot[];
  heldSlots: CompiledSlot[];
  gatherSlots: CompiledSlot[];
  /** Required pins with neither a constant nor a link: a run of this node can only fail. */
  unsatisfiedRequired: string[];
  outgoing: Map<string, CompiledLink[]>;
  hasIncoming: boolean;
  streaming: boolean;
  /** The pin whose number lets a gather run fire early (list.collect's `count`). */
  gatherCountPin: string | null;
  /** Position in topological order (cycles broken by definition order). */
  rank: number;
  /** Output nodes: the result name. Input nodes: the input name. */
  name: string | null;
  /** Input nodes: whether a default exists (the input is required without one). */
  hasDefault: boolean;
}

export interface CompiledGraph {
  name: string;
  definition: AgentDefinition;
  nodes: ReadonlyMap<string, CompiledNode>;
  /** Definition order. */
  nodeList: readonly CompiledNode[];
  inputNodes: readonly CompiledNode[];
  outputNames: readonly string[];
  /** Block nodes without incoming links: they run once at the start. */
  startNodes: readonly CompiledNode[];
  /** Nodes with gather pins, by rank: flushed in this order when the execution goes quiet. */
  gatherNodes: readonly CompiledNode[];
}

const ERROR_PIN = 'error';

export function compileGraph(definition: AgentDefinition, blocks: BlockLookup): CompiledGraph {
  const problems: Problem[] = [];
  const nodes = new Map<string, CompiledNode>();
  for (const [id, node] of Object.entries(definition.nodes)) {
    const block = blocks.get(node.block);
    if (!block) {
      problems.push({ node: id, message: `node "${id}" uses block "${node.block}", which does not exist (list the blocks with \`trellis blocks\`)` });
      continue;
    }
    nodes.set(id, newNode(id, node, block));
  }
  const incoming = new Map<string, Array<{ link: AgentDefinition['links'][number]; isStatic: boolean }>>();
  for (const link of definition.links) {
    const label = linkLabel(link);
    const source = nodes.get(link.from.node);
    const sink = nodes.get(link.to.node);
    if (!definition.nodes[link.from.node])
      problems.push({ node: link.from.node, message: `link ${label} starts at node "${link.from.node}", which does not exist` });
    if (!definition.nodes[link.to.node]) problems.push({ node: link.to.node, message: `link ${label} ends at node "${link.to.node}", which does not exist` });
    if (!source || !sink) continue;
    const list = incoming.get(sink.id) ?? [];
    // Links out of input nodes are always static (agent-format.md "Links").
    list.push({ link, isStatic: link.static || source.kind === 'input' });
    incoming.set(sink.id, list);
  }
  if (problems.length > 0) throw validationFailed(problems, `Graph "${definition.name}" cannot run: ${problems.map((p) => p.message).join('; ')}.`);

  for (const node of nodes.values()) buildSlots(node, incoming.get(node.id) ?? []);
  for (const link of definition.links) {
    const source = nodes.get(link.from.node)!;
    const sink = nodes.get(link.to.node)!;
    const slot = sink.slots.find((s) => s.key === slotKey(link.to.pin, link.to.key))!;
    const list = source.outgoing.get(link.from.pin) ?? [];
    list.push({ source: source.id, sourcePin: link.from.pin, path: link.from.path, sink: sink.id, slot, label: linkLabel(link) });
    source.outgoing.set(link.from.pin, list);
  }
  const nodeList = [...nodes.values()];
  assignRanks(nodeList);
  return {
    name: definition.name,
    definition,
    nodes,
    nodeList,
    inputNodes: nodeList.filter((n) => n.kind === 'input'),
    outputNames: [...new Set(nodeList.filter((n) => n.kind === 'output').map((n) => n.name!))],
    startNodes: nodeList.filter((n) => !n.hasIncoming && n.kind === 'block'),
    gatherNodes: nodeList.filter((n) => n.gatherSlots.length > 0).sort((a, b) => a.rank - b.rank),
  };
}

export function slotKey(pin: string, dictKey?: string | null): string {
  return dictKey ? `${pin}.${dictKey}` : pin;
}

export function linkLabel(link: AgentDefinition['links'][number]): string {
  const from = [link.from.node, link.from.pin, ...link.from.path].join('.');
  const to = [link.to.node, link.to.pin, ...(link.to.key ? [link.to.key] : [])].join('.');
  return `${from} -> ${to}`;
}

export function hasErrorLinks(node: CompiledNode): boolean {
  return (node.outgoing.get(ERROR_PIN)?.length ?? 0) > 0;
}

function newNode(id: string, definition: NodeDefinition, block: BlockDefinition): CompiledNode {
  const constants = definition.inputs ?? {};
  const kind: NodeKind = block.trigger ? 'trigger' : block.id === 'input' ? 'input' : block.id === 'output' ? 'output' : 'block';
  const named = typeof constants.name === 'string' && constants.name !== '' ? constants.name : id;
  return {
    id,
    kind,
    blockId: block.id,
    block,
    definition,
    constants,
    retry: definition.retry ?? null,
    concurrency: definition.concurrency ?? null,
    slots: [],
    queueSlots: [],
    heldSlots: [],
    gatherSlots: [],
    unsatisfiedRequired: [],
    outgoing: new Map(),
    hasIncoming: false,
    streaming: block.streaming === true,
    gatherCountPin: block.gatherCount ?? null,
    rank: 0,
    name: kind === 'output' || kind === 'input' ? named : null,
    hasDefault: Object.prototype.hasOwnProperty.call(constants, 'default'),
  };
}

function buildSlots(node: CompiledNode, links: Array<{ link: AgentDefinition['links'][number]; isStatic: boolean }>): void {
  const byKey = new Map<string, { pin: string; dictKey: string | null; allStatic: boolean }>();
  for (const { link, isStatic } of links) {
    const key = slotKey(link.to.pin, link.to.key);
    const entry = byKey.get(key);
    if (entry) entry.allStatic &&= isStatic;
    else byKey.set(key, { pin: link.to.pin, dictKey: link.to.key ?? null, allStatic: isStatic });
  }
  const modes = node.block.pinModes ?? {};
  for (const [key, { pin, dictKey, allStatic }] of byKey) {
    const mode: SlotMode = modes[pin] === 'gather' ? 'gather' : modes[pin] === 'sticky' || allStatic ? 'held' : 'queue';
    const slot: CompiledSlot = { index: node.slots.length, key, pin, dictKey, mode };
    node.slots.push(slot);
    (mode === 'queue' ? node.queueSlots : mode === 'held' ? node.heldSlots : node.gatherSlots).push(slot);
  }
  node.hasIncoming = node.slots.length > 0;
  const linkedPins = new Set(node.slots.map((s) => s.pin));
  const required = Array.isArray(node.block.inputSchema.required) ? (node.block.inputSchema.required as unknown[]) : [];
  node.unsatisfiedRequired = required.filter(
    (pin): pin is string => typeof pin === 'string' && !linkedPins.has(pin) && !Object.prototype.hasOwnProperty.call(node.constants, pin),
  );
}

/** Kahn's algorithm in definition order; when only cycles remain, the earliest remaining node goes next. */
function assignRanks(nodeList: CompiledNode[]): void {
  const indegree = new Map<string, number>();
  const successors = new Map<string, Set<string>>();
  for (const node of nodeList) {
    indegree.set(node.id, indegree.get(node.id) ?? 0);
    const next = new Set<string>();
    for (const links of node.outgoing.values()) for (const link of links) if (link.sink !== node.id) next.add(link.sink);
    successors.set(node.id, next);
    for (const sink of next) indegree.set(sink, (indegree.get(sink) ?? 0) + 1);
  }
  const placed = new Set<string>();
  let rank = 0;
  const place = (node: CompiledNode) => {
    node.rank = rank++;
    placed.add(node.id);
    for (const sink of successors.get(node.id)!) indegree.set(sink, indegree.get(sink)! - 1);
  };
  while (placed.size < nodeList.length) {
    const free = nodeList.find((n) => !placed.has(n.id) && indegree.get(n.id) === 0) ?? nodeList.find((n) => !placed.has(n.id))!;
    place(free);
  }
}
