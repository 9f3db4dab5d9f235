// Credits of a node whose block pays per call (ai.agent, release-2.md section 4) instead of per attempt: one
// model call at least; at most `max_steps` model calls plus `max_tool_calls` calls of its dearest block tool.
// Agent tools start child executions whose nodes pay for themselves (not counted here, as agent.run's are).
// Attempts do not multiply: each call is charged once per node execution, and a retry continues the stored
// conversation, so the step counts bound every attempt together. Pure: the block catalogue and prices in.
import type { BlockDefinition, BlockLookup } from '../blocks/block.types.js';
import { inputPins } from './agent.pins.js';
import type { NodeDefinition } from './graph.types.js';

/** What bounds a per-call node's credits in one run (NodeCost.calls). */
export interface CallCosts {
  /** Model calls per run: one at least, `max_steps` at most (its default, or the pin's maximum when linked). */
  model_calls: { min: number; max: number };
  /** Block tool calls per run: `max_tool_calls` at most; 0 without block tools. */
  tool_calls: { max: number };
  /** Credits of one call of the dearest block tool (its block's cost with the entry's constant inputs); 0 without block tools. */
  tool_credits: number;
  /** Agents its agent tools run: their child executions pay for their own nodes, not in this estimate. */
  agent_tools: string[];
}

export interface CallPrices {
  blocks: BlockLookup;
  costOf(block: BlockDefinition, inputs: Record<string, unknown>): number;
}

/** A step limit as the node sets it: a constant, else the pin's default when unset, else (a link or an expression) the pin's maximum. */
function stepLimit(block: BlockDefinition, node: NodeDefinition, pin: string, linked: ReadonlySet<string>): number {
  const value = node.inputs[pin];
  if (!linked.has(pin) && typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  const schema = inputPins(block)[pin] ?? {};
  const bound = value === undefined && !linked.has(pin) ? schema.default : schema.maximum;
  return typeof bound === 'number' ? bound : 0;
}

/** The call bounds of a node whose block pays per call (`linked`: its input pins a link feeds); null for any other node. */
export function callCosts(block: BlockDefinition, node: NodeDefinition, linked: ReadonlySet<string>, prices: CallPrices): CallCosts | null {
  if (!block.chargedPerCall) return null;
  const tools = Array.isArray(node.inputs.tools) ? (node.inputs.tools as Array<Record<string, unknown>>) : [];
  let toolCredits = 0;
  let blockTools = 0;
  const agents = new Set<string>();
  for (const tool of tools) {
    if (typeof tool?.agent === 'string') agents.add(tool.agent);
    const toolBlock = typeof tool?.block === 'string' ? prices.blocks.get(tool.block) : undefined;
    if (!toolBlock) continue;
    blockTools++;
    const inputs = tool.inputs !== null && typeof tool.inputs === 'object' ? (tool.inputs as Record<string, unknown>) : {};
    toolCredits = Math.max(toolCredits, prices.costOf(toolBlock, inputs));
  }
  return {
    model_calls: { min: 1, max: Math.max(1, stepLimit(block, node, 'max_steps', linked)) },
    tool_calls: { max: blockTools ? stepLimit(block, node, 'max_tool_calls', linked) : 0 },
    tool_credits: toolCredits,
    agent_tools: [...agents],
  };
}

/** Credits of one run of the node at most: every model call and every block tool call at the dearest price. */
export function callsMax(credits: number, calls: CallCosts): number {
  return credits * calls.model_calls.max + calls.tool_credits * calls.tool_calls.max;
}
