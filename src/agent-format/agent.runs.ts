// How many times each node of an agent may run in one execution, from the engine's dataflow rules
// (executions/engine/scheduler.ts, "How values meet"): a node runs once per complete set of inputs; each
// linked pin (or dict key) is a slot whose values pair first-in-first-out with the other slots'; static
// links and sticky pins hold one value for every run; gather pins take every value for one run; a node
// nothing links into runs once; the trigger that fired (or the input nodes, for an API run) starts it.
// Counts are intervals: `lo` runs at least on a successful execution, `hi` at most (Infinity: unbounded).
import type { BlockDefinition, BlockLookup } from '../blocks/block.types.js';
import { ERROR_PIN } from './agent.pins.js';
import type { AgentDefinition } from './graph.types.js';

export interface Interval {
  lo: number;
  hi: number;
}

/** How many values a source pin yields per run of its node. */
export type YieldKind = 'once' | 'sometimes' | 'repeated';

export interface RunEdge {
  from: string;
  pin: string;
  to: string;
  kind: YieldKind;
  /** Goes back to a node on the way to it (depth-first from the nodes nothing links into): it closes a loop. */
  closesLoop: boolean;
}

interface Slot {
  mode: 'drive' | 'held' | 'gather';
  pin: string;
  edges: RunEdge[];
}

export interface RunGraph {
  /** Node ids in the file's order. */
  ids: string[];
  blocks: Map<string, BlockDefinition | undefined>;
  edges: RunEdge[];
  slots: Map<string, Slot[]>;
}

/** `api` (input nodes), or the id of the trigger node that fired. */
export type EntryScenario = string;
export const API_RUN = '';

export function yieldKind(block: BlockDefinition | undefined, pin: string): YieldKind {
  if (pin === ERROR_PIN) return 'sometimes';
  if (!block) return 'once';
  const yields = block.yields;
  if (yields?.repeated?.includes(pin)) return 'repeated';
  if (yields?.sometimes?.includes(pin)) return 'sometimes';
  const declared = (block.outputSchema.properties ?? {}) as Record<string, unknown>;
  if (!(pin in declared) && yields?.dynamic) return yields.dynamic;
  return 'once';
}

export function buildRunGraph(agent: AgentDefinition, blocks: BlockLookup): RunGraph {
  const ids = Object.keys(agent.nodes);
  const nodeBlocks = new Map(ids.map((id) => [id, blocks.get(agent.nodes[id]!.block)]));
  const edges: RunEdge[] = [];
  const slots = new Map<string, Slot[]>(ids.map((id) => [id, []]));
  const byKey = new Map<string, Slot>();
  for (const link of agent.links) {
    const source = nodeBlocks.get(link.from.node);
    const target = nodeBlocks.get(link.to.node);
    if (!slots.has(link.from.node) || !slots.has(link.to.node)) continue;
    const edge: RunEdge = { from: link.from.node, pin: link.from.pin, to: link.to.node, kind: yieldKind(source, link.from.pin), closesLoop: false };
    edges.push(edge);
    const key = `${link.to.node}\0${link.to.pin}\0${link.to.key ?? ''}`;
    const pinMode = target?.pinModes?.[link.to.pin];
    // Links out of input nodes are always static.
    const held = link.static || source?.id === 'input' || pinMode === 'sticky';
    let slot = byKey.get(key);
    if (!slot) {
      slot = { mode: pinMode === 'gather' ? 'gather' : held ? 'held' : 'drive', pin: link.to.pin, edges: [] };
      byKey.set(key, slot);
      slots.get(link.to.node)!.push(slot);
    } else if (slot.mode === 'held' && !held) {
      slot.mode = 'drive';
    }
    slot.edges.push(edge);
  }
  markLoops(ids, edges);
  return { ids, blocks: nodeBlocks, edges, slots };
}

/** Depth-first from the nodes nothing links into (then any left: loops with no way in); an edge to a node still open closes a loop. */
function markLoops(ids: readonly string[], edges: readonly RunEdge[]): void {
  const out = new Map(ids.map((id) => [id, edges.filter((e) => e.from === id)]));
  const state = new Map<string, 'open' | 'done'>();
  const visit = (id: string): void => {
    state.set(id, 'open');
    for (const edge of out.get(id)!) {
      if (state.get(edge.to) === 'open') edge.closesLoop = true;
      else if (!state.has(edge.to)) visit(edge.to);
    }
    state.set(id, 'done');
  };
  const hasIncoming = new Set(edges.map((e) => e.to));
  for (const id of ids) if (!hasIncoming.has(id) && !state.has(id)) visit(id);
  for (const id of ids) if (!state.has(id)) visit(id);
}

/** One scenario per trigger node, plus the API run when there are input nodes or no triggers. */
export function entryScenarios(graph: RunGraph): EntryScenario[] {
  const triggers = graph.ids.filter((id) => graph.blocks.get(id)?.trigger);
  const inputs = graph.ids.some((id) => graph.blocks.get(id)?.id === 'input');
  return inputs || triggers.length === 0 ? [...triggers, API_RUN] : triggers;
}

function edgeRuns(edge: RunEdge, runs: Map<string, Interval>): Interval {
  const source = runs.get(edge.from)!;
  if (edge.kind === 'once') return source;
  if (edge.kind === 'sometimes') return { lo: 0, hi: source.hi };
  return { lo: 0, hi: source.hi > 0 ? Infinity : 0 };
}

function slotRuns(slot: Slot, runs: Map<string, Interval>): Interval {
  let lo = 0;
  let hi = 0;
  for (const edge of slot.edges) {
    const r = edgeRuns(edge, runs);
    // A loop may stop at any turn: only the way into it counts toward the least runs.
    if (!edge.closesLoop) lo += r.lo;
    hi += r.hi;
  }
  return { lo, hi };
}

function nodeRuns(id: string, graph: RunGraph, entry: EntryScenario, runs: Map<string, Interval>): Interval {
  const block = graph.blocks.get(id);
  if (block?.trigger) return entry === id ? { lo: 1, hi: 1 } : { lo: 0, hi: 0 };
  if (block?.id === 'input') return entry === API_RUN ? { lo: 1, hi: 1 } : { lo: 0, hi: 0 };
  const slots = graph.slots.get(id)!;
  if (!slots.length) return { lo: 1, hi: 1 };
  const of = (mode: Slot['mode']) => slots.filter((s) => s.mode === mode).map((s) => ({ slot: s, runs: slotRuns(s, runs) }));
  const drive = of('drive');
  const held = of('held');
  const gather = of('gather');
  let lo: number;
  let hi: number;
  if (drive.length) {
    lo = Math.min(...drive.map((d) => d.runs.lo));
    hi = Math.min(...drive.map((d) => d.runs.hi));
  } else {
    // One run per gathering (or, with held values only, once they are there).
    const once = gather.length ? gather : held;
    lo = Math.min(1, ...once.map((d) => d.runs.lo));
    hi = Math.min(1, ...once.map((d) => d.runs.hi));
    // list.collect fires (with []) once its count arrives, even as 0.
    const count = block?.gatherCount ? held.find((h) => h.slot.pin === block.gatherCount) : undefined;
    if (gather.length && count && count.runs.lo >= 1) lo = 1;
  }
  for (const other of drive.length ? [...held, ...gather] : held) {
    if (other.runs.hi === 0) hi = 0;
    if (other.runs.lo === 0) lo = 0;
  }
  return { lo: Math.min(lo, hi), hi };
}

/**
 * Runs of every node when `entry` starts the execution: the least fixed point of the rules above, from
 * nothing running. The most runs of a loop never settle: past as many rounds as there are nodes, a node whose
 * count still grows is unbounded. (The least runs leave loop-closing links out, so they settle.)
 */
export function evaluateRuns(graph: RunGraph, entry: EntryScenario): Map<string, Interval> {
  const runs = new Map<string, Interval>(graph.ids.map((id) => [id, { lo: 0, hi: 0 }]));
  const settleRounds = graph.ids.length + 1;
  for (let round = 0; round < 2 * settleRounds + 1; round++) {
    let changed = false;
    for (const id of graph.ids) {
      const was = runs.get(id)!;
      const now = nodeRuns(id, graph, entry, runs);
      const next = { lo: Math.max(was.lo, now.lo), hi: now.hi > was.hi ? (round >= settleRounds ? Infinity : now.hi) : was.hi };
      if (next.lo !== was.lo || next.hi !== was.hi) {
        runs.set(id, { lo: Math.min(next.lo, next.hi), hi: next.hi });
        changed = true;
      }
    }
    if (!changed) break;
  }
  return runs;
}
