// What `trellis analyze` suggests: nodes an expression or `vars:` can replace (release-2.md section 2), costs
// that grow with a list, nodes whose work goes nowhere, and sub-agents (agent.run, ai.agent's agent tools) whose
// credits the estimate leaves out.
import { expressionPins, isUriPin } from '../blocks/block-expressions.js';
import { holdsExpression } from './agent-expressions.rules.js';
import type { NodeCost } from './agent.analysis.js';
import { formatSink } from './agent.links.js';
import { inputPins } from './agent.pins.js';
import type { RunGraph } from './agent.runs.js';
import type { AgentDefinition } from './graph.types.js';

export type SuggestionKind = 'use-expression' | 'use-vars' | 'cost-per-item' | 'unused-node' | 'sub-agent-cost';

export interface AnalysisSuggestion {
  kind: SuggestionKind;
  node: string;
  message: string;
}

/** Blocks whose only use may be to compute one value for the next node. */
const COMPUTE_ONLY = new Set(['text.template', 'json.query']);

export function analysisSuggestions(agent: AgentDefinition, graph: RunGraph, costs: Record<string, NodeCost>): AnalysisSuggestion[] {
  const found: AnalysisSuggestion[] = [];
  for (const id of graph.ids) {
    const node = agent.nodes[id]!;
    const block = graph.blocks.get(id);
    if (!block) continue;
    const out = agent.links.filter((link) => link.from.node === id);

    if (COMPUTE_ONLY.has(block.id) && out.length === 1) {
      const sink = out[0]!.to;
      const target = graph.blocks.get(sink.node);
      if (target && target.id !== 'output' && expressionPins(target)[sink.pin] && sink.key === undefined) {
        found.push({
          kind: 'use-expression',
          node: id,
          message: `node "${id}" (${block.id}) only computes ${formatSink(sink)}: write that pin as a \${{ }} expression, with the values it reads linked to ${sink.node}.with.<name> (one node fewer)`,
        });
      }
    }

    const pins = inputPins(block);
    for (const [pin, value] of Object.entries(node.inputs)) {
      if (typeof value !== 'string' || !isUriPin(pins[pin]) || holdsExpression(value)) continue;
      found.push({
        kind: 'use-vars',
        node: id,
        message: `node "${id}" has the URL ${value} written in inputs.${pin}: declare it under vars: and write "\${{ vars.<name> }}", so config/vars/<env>.yaml can change it per environment`,
      });
    }

    const cost = costs[id]!;
    if (cost.credits > 0 && cost.runs.max === null) {
      const source = fanOutSource(graph, id);
      found.push({
        kind: 'cost-per-item',
        node: id,
        message: `node "${id}" (${cost.credits} credit${cost.credits === 1 ? '' : 's'} an attempt) runs once per ${source ? `value "${source}" yields` : 'turn of a loop'}: the cost grows with the data${source && graph.blocks.get(source)?.id === 'list.iterate' ? `; batch_size on "${source}" hands it several items per run` : ''}`,
      });
    }

    if (!out.length && isPure(block)) {
      found.push({
        kind: 'unused-node',
        node: id,
        message: `node "${id}" (${block.id}) has no effect outside and its outputs go nowhere: link them, or remove it (unless it is there to fail the run)`,
      });
    }

    if (block.suspend === 'child_execution' && typeof node.inputs.agent === 'string') {
      found.push({
        kind: 'sub-agent-cost',
        node: id,
        message: `node "${id}" runs the agent "${node.inputs.agent}", whose nodes pay for themselves: its credits are not in this estimate (trellis analyze ${node.inputs.agent})`,
      });
    }
    for (const name of cost.calls?.agent_tools ?? []) {
      found.push({
        kind: 'sub-agent-cost',
        node: id,
        message: `node "${id}" (${block.id}) may call the agent "${name}" as a tool, whose nodes pay for themselves: its credits are not in this estimate (trellis analyze ${name})`,
      });
    }
  }
  return found;
}

/** Blocks with no effect but their outputs. */
function isPure(block: NonNullable<ReturnType<RunGraph['blocks']['get']>>): boolean {
  return (
    !block.sideEffects &&
    !block.suspend &&
    !block.trigger &&
    block.id !== 'output' &&
    !block.credentials &&
    block.category !== 'ai' &&
    block.category !== 'code'
  );
}

/** The nearest node upstream whose pin yields any number of values into the way to `id`. */
function fanOutSource(graph: RunGraph, id: string): string | undefined {
  const seen = new Set([id]);
  let frontier = [id];
  while (frontier.length) {
    const next: string[] = [];
    for (const at of frontier) {
      for (const edge of graph.edges.filter((e) => e.to === at && !e.closesLoop)) {
        if (edge.kind === 'repeated') return edge.from;
        if (!seen.has(edge.from)) {
          seen.add(edge.from);
          next.push(edge.from);
        }
      }
    }
    frontier = next;
  }
  return undefined;
}
