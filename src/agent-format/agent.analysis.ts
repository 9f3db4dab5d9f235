// The static analysis of an agent (release-2.md section 5, `trellis analyze`, GET /api/graphs/{id}/analysis):
// its size, depth, widest level and longest chain, the credits one execution costs at least and at most, and
// suggestions. Pure: a validated definition and the block catalogue in. How often each node may run comes
// from the dataflow rules of the engine (a node runs once per complete set of inputs; see agent.runs.ts).
import type { BlockDefinition, BlockLookup } from '../blocks/block.types.js';
import { blockCost } from '../blocks/blocks.registry.js';
import { analysisSuggestions, type AnalysisSuggestion } from './agent.analysis-suggestions.js';
import { callCosts, callsMax, type CallCosts } from './agent.call-costs.js';
import { buildRunGraph, entryScenarios, evaluateRuns, type Interval, type RunGraph } from './agent.runs.js';
import type { AgentDefinition } from './graph.types.js';

export type { AnalysisSuggestion } from './agent.analysis-suggestions.js';
export type { CallCosts } from './agent.call-costs.js';

/** What one node costs per execution: `max` null when a fan-out or a loop lets it run any number of times. */
export interface NodeCost {
  block: string;
  /** Credits of one attempt (config/costs.yaml, by model for LLM blocks; the default model when it comes through a link); of one model call for ai.agent. */
  credits: number;
  /** Attempts per run: its `retry.attempts`, else 1 (they do not multiply a per-call node's credits: see `calls`). */
  attempts: number;
  /** How many times it runs in one execution (null: no bound but the node-executions cap). */
  runs: { min: number; max: number | null };
  min: number;
  max: number | null;
  /** A block that pays per call (ai.agent): one model call at least, `max_steps` model calls and `max_tool_calls` block tool calls at most. */
  calls?: CallCosts;
}

export interface AgentAnalysis {
  agent: string;
  nodes: number;
  links: number;
  /** Nodes on the longest chain of links (links that close a loop left out). */
  max_depth: number;
  /** The most nodes at one depth: how many may run side by side (both sides of a branch count). */
  parallel_branches: number;
  /** The longest chain of links, node by node. */
  critical_path: string[];
  cost: {
    /** Credits of the cheapest successful execution: every node that must run, once, with one attempt. */
    min: number;
    /** Credits of the dearest one (every node that may run, every retry); null when a fan-out or a loop makes it unbounded. */
    max: number | null;
    /** Nodes (ai.agent) whose `max_steps` and `max_tool_calls` bound their part of `max`: a limit, not what a run usually spends. */
    step_bounded: string[];
    per_node: Record<string, NodeCost>;
  };
  suggestions: AnalysisSuggestion[];
}

export interface AnalysisContext {
  blocks: BlockLookup;
  /** Credits one attempt costs (BlocksRegistry.costOf, with config/costs.yaml); default: the block's own cost. */
  costOf?(block: BlockDefinition, inputs: Record<string, unknown>): number;
}

const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);

/** Credits per node and runs per node of one execution, and the totals: the part of the analysis a plan shows. */
function runCosts(agent: AgentDefinition, context: AnalysisContext) {
  const graph = buildRunGraph(agent, context.blocks);
  const costOf = (block: BlockDefinition, inputs: Record<string, unknown>): number =>
    context.costOf ? context.costOf(block, inputs) : blockCost(block, inputs);
  const credits = new Map<string, number>();
  const calls = new Map<string, CallCosts>();
  for (const [id, node] of Object.entries(agent.nodes)) {
    const block = context.blocks.get(node.block);
    credits.set(id, block ? costOf(block, node.inputs) : 0);
    if (!block?.chargedPerCall) continue;
    const linked = new Set(agent.links.filter((link) => link.to.node === id).map((link) => link.to.pin));
    calls.set(id, callCosts(block, node, linked, { blocks: context.blocks, costOf })!);
  }
  const scenarios = entryScenarios(graph).map((entry) => evaluateRuns(graph, entry));
  const nodeMax = (id: string, hi: number): number => {
    const bounds = calls.get(id);
    const spend = bounds ? callsMax(credits.get(id)!, bounds) : credits.get(id)! * (agent.nodes[id]!.retry?.attempts ?? 1);
    return spend === 0 || hi === 0 ? 0 : spend * hi;
  };
  const totals = scenarios.map((scenario) => {
    let min = 0;
    let max = 0;
    for (const id of graph.ids) {
      min += credits.get(id)! * scenario.get(id)!.lo;
      max += nodeMax(id, scenario.get(id)!.hi);
    }
    return { min, max };
  });
  const min = Math.min(...totals.map((t) => t.min));
  const max = finite(Math.max(...totals.map((t) => t.max)));
  const mayRun = (id: string) => scenarios.some((scenario) => scenario.get(id)!.hi > 0);
  const stepBounded = [...calls.keys()].filter((id) => mayRun(id) && nodeMax(id, 1) > 0);
  return { graph, credits, calls, scenarios, nodeMax, min, max, stepBounded };
}

/**
 * The credits one execution costs at least and at most (analyzeAgent's `cost` without the per-node detail);
 * `step_bounded: true` (else absent) when an ai.agent's step limits set part of a finite `max`.
 */
export function estimateCost(agent: AgentDefinition, context: AnalysisContext): { min: number; max: number | null; step_bounded?: true } {
  const { min, max, stepBounded } = runCosts(agent, context);
  return max !== null && stepBounded.length > 0 ? { min, max, step_bounded: true } : { min, max };
}

export function analyzeAgent(agent: AgentDefinition, context: AnalysisContext): AgentAnalysis {
  const { graph, credits, calls, scenarios, nodeMax, min, max, stepBounded } = runCosts(agent, context);
  const shape = analyzeShape(graph);
  const runs = new Map<string, Interval>();
  for (const id of graph.ids) {
    const each = scenarios.map((scenario) => scenario.get(id)!);
    runs.set(id, { lo: Math.min(...each.map((r) => r.lo)), hi: Math.max(...each.map((r) => r.hi)) });
  }

  const perNode: Record<string, NodeCost> = {};
  for (const id of graph.ids) {
    const { lo, hi } = runs.get(id)!;
    perNode[id] = {
      block: agent.nodes[id]!.block,
      credits: credits.get(id)!,
      attempts: agent.nodes[id]!.retry?.attempts ?? 1,
      runs: { min: lo, max: finite(hi) },
      min: credits.get(id)! * lo,
      max: finite(nodeMax(id, hi)),
      ...(calls.has(id) ? { calls: calls.get(id)! } : {}),
    };
  }
  return {
    agent: agent.name,
    nodes: graph.ids.length,
    links: agent.links.length,
    ...shape,
    cost: { min, max, step_bounded: stepBounded, per_node: perNode },
    suggestions: analysisSuggestions(agent, graph, perNode),
  };
}

/** Depth, widest level and the longest chain, over the links with those that close a loop left out. */
function analyzeShape(graph: RunGraph): Pick<AgentAnalysis, 'max_depth' | 'parallel_branches' | 'critical_path'> {
  const order = new Map(graph.ids.map((id, index) => [id, index]));
  const kept = graph.edges.filter((e) => !e.closesLoop);
  const preds = new Map(graph.ids.map((id) => [id, [] as string[]]));
  const next = new Map(graph.ids.map((id) => [id, [] as string[]]));
  const indegree = new Map(graph.ids.map((id) => [id, 0]));
  for (const { from, to } of kept) {
    preds.get(to)!.push(from);
    next.get(from)!.push(to);
    indegree.set(to, indegree.get(to)! + 1);
  }
  // Longest chain ending at each node, in topological order; ties go to the node written first.
  const depth = new Map<string, number>();
  const via = new Map<string, string>();
  const ready = graph.ids.filter((id) => indegree.get(id) === 0);
  while (ready.length) {
    const id = ready.shift()!;
    let best = 0;
    for (const from of [...new Set(preds.get(id)!)].sort((a, b) => order.get(a)! - order.get(b)!)) {
      if (depth.get(from)! > best) {
        best = depth.get(from)!;
        via.set(id, from);
      }
    }
    depth.set(id, best + 1);
    for (const to of next.get(id)!) {
      indegree.set(to, indegree.get(to)! - 1);
      if (indegree.get(to) === 0) ready.push(to);
    }
  }
  let end: string | undefined;
  for (const id of graph.ids) if (end === undefined || depth.get(id)! > depth.get(end)!) end = id;
  const path: string[] = [];
  for (let at = end; at !== undefined; at = via.get(at)) path.unshift(at);
  const perLevel = new Map<number, number>();
  for (const d of depth.values()) perLevel.set(d, (perLevel.get(d) ?? 0) + 1);
  return { max_depth: end ? depth.get(end)! : 0, parallel_branches: Math.max(0, ...perLevel.values()), critical_path: path };
}
