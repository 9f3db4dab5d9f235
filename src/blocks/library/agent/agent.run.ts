// `agent.run`: runs another agent as a child execution and yields its outputs. Only the engine can run
// it (it starts the child, the node waits without a worker slot, and resumes when the child ends); its
// output pins are the child agent's outputs, known from the registry's agent lookup.
import { BlockError, BlockErrorCode } from '../../blocks.errors.js';
import { anyValue, defineBlock, dict, optional, Type, withDefault } from '../../pins.js';
import { blockErrors } from '../../block-errors.catalog.js';
import { DYNAMIC_OUTPUTS } from '../dynamic-outputs.js';

export const agentRunBlock = defineBlock({
  id: 'agent.run',
  description:
    'Runs the agent `agent` (a constant) as a child execution with `inputs`, waits for it, then yields each of its outputs on the pin of the same name (one yield per value) and all of them on outputs. Fails with CHILD_FAILED if the child fails.',
  category: 'agent',
  suspend: 'child_execution',
  inputs: {
    agent: Type.String({
      pattern: '^[a-z][a-z0-9-]{1,62}$',
      description: "The child agent's name (a constant, never linked).",
      'x-expected': 'an agent name (lower-case letters, digits and -)',
    }),
    version: optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'A version of the child to run (default: its active version).' })),
    inputs: withDefault(dict(anyValue(), { description: "The child's inputs by name; link single keys with inputs.<name>." }), {}),
  },
  outputs: {
    outputs: dict(Type.Array(anyValue()), { description: 'Every output of the child: { name: [values in order] }.' }),
  },
  // One yield per value of each child output: any number.
  yields: { dynamic: 'repeated' },
  cost: 0,
  dynamicOutputs: DYNAMIC_OUTPUTS['agent.run'],
  errors: blockErrors('CHILD_FAILED', 'NEEDS_ENGINE'),
  async *run(inputs) {
    throw new BlockError(
      BlockErrorCode.NEEDS_ENGINE,
      `agent.run starts a child execution of "${inputs.agent}", so it only runs inside an execution: run the parent agent (POST /api/graphs/{id}/execute or trellis run), or run "${inputs.agent}" itself.`,
      { agent: inputs.agent },
    );
  },
});
