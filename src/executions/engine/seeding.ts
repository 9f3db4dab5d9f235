// Which values an execution starts from (runtime.md "Seeding"), apart from the scheduler's events: the
// trigger node that fired (checked to be one), each input node's value (given, else its default), and the
// required inputs nothing fills, with the message that tells the caller what to pass.
import { validationFailed } from '../../common/errors.js';
import { EngineErrorCode, type ExecutionError } from './engine.errors.js';
import type { Seed } from './engine.types.js';
import type { CompiledGraph, CompiledNode } from './graph.compiler.js';

export interface SeedPlan {
  /** The trigger node that fired, if the seed names one. */
  trigger: CompiledNode | undefined;
  /** Input nodes and the value each starts with. */
  inputs: Array<[CompiledNode, unknown]>;
  /** MISSING_INPUT when a required input has no value and no default: the execution fails at once. */
  missing: ExecutionError | null;
}

/** Throws VALIDATION_FAILED when the seed names a node that is not a trigger node of the graph. */
export function planSeed(graph: CompiledGraph, seed: Seed): SeedPlan {
  const trigger = seed.trigger ? graph.nodes.get(seed.trigger.node) : undefined;
  if (seed.trigger && trigger?.kind !== 'trigger') {
    const triggers = graph.nodeList.filter((n) => n.kind === 'trigger').map((n) => n.id);
    throw validationFailed([
      {
        node: seed.trigger.node,
        message: `"${seed.trigger.node}" is not a trigger node of ${graph.name}; its trigger nodes are: ${triggers.join(', ') || 'none'}`,
      },
    ]);
  }
  const inputs: Array<[CompiledNode, unknown]> = [];
  const missing: string[] = [];
  for (const node of graph.inputNodes) {
    if (!trigger && Object.prototype.hasOwnProperty.call(seed.inputs ?? {}, node.name!)) inputs.push([node, seed.inputs![node.name!]]);
    else if (node.hasDefault) inputs.push([node, node.constants.default]);
    else missing.push(node.name!);
  }
  const error = missing.length > 0 ? { code: EngineErrorCode.MISSING_INPUT, message: missingInputMessage(missing, trigger?.id), node_id: null } : null;
  return { trigger, inputs, missing: error };
}

function missingInputMessage(missing: string[], triggerId: string | undefined): string {
  const one = missing.length === 1;
  const what = `required input${one ? '' : 's'} ${missing.map((m) => `"${m}"`).join(', ')}`;
  return triggerId
    ? `A run started by trigger "${triggerId}" cannot give a value to the ${what} (no default): give ${one ? 'it' : 'them'} a default in the agent file.`
    : `The execution needs a value for the ${what}: pass ${one ? 'it' : 'them'} as inputs (no default is set).`;
}
