// `input`: a graph input. The engine seeds it with the value given for the run (or its default); its
// `type` (a JSON type name or a whole JSON Schema) is checked here, so a bad value names the input.
import { BlockError, BlockErrorCode, invalidPin } from '../../blocks.errors.js';
import { compileDataSchema, JSON_TYPES, problemsFromErrors, schemaProblem } from '../../pin-validation.js';
import { anyValue, defineBlock, dict, optional, PIN_NAME, Type } from '../../pins.js';
import { blockErrors } from '../../block-errors.catalog.js';

export const inputBlock = defineBlock({
  id: 'input',
  description:
    'A graph input: yields the value given for the run (inputs.<name> of the execute API), else its default. It is required exactly when it has no default.',
  category: 'io',
  inputs: {
    name: Type.String({
      pattern: PIN_NAME.source,
      description: "The input's name, unique in the agent: the key in the execute API's inputs.",
      'x-expected': 'a name of lower-case letters, digits and _ (starting with a letter)',
    }),
    type: optional(
      Type.Union([Type.Enum([...JSON_TYPES]), dict(anyValue())], {
        description: 'A JSON Schema type name (string, number, integer, boolean, object, array, null) or a whole JSON Schema the value must fit.',
        'x-expected': 'a JSON type name (string, number, integer, boolean, object, array, null) or a JSON Schema object',
      }),
    ),
    default: optional(anyValue({ description: 'Used when the run gives no value; without it the input is required.' })),
    description: optional(Type.String({ description: 'What the input is for.' })),
    value: optional(anyValue({ description: 'The value given for this run (set by the engine when it seeds the input).' })),
  },
  outputs: {
    value: anyValue({ description: "The run's value for this input." }),
  },
  cost: 0,
  errors: blockErrors('MISSING_INPUT'),
  async *run(inputs) {
    const value = inputs.value !== undefined ? inputs.value : inputs.default;
    if (value === undefined) {
      throw new BlockError(
        BlockErrorCode.MISSING_INPUT,
        `Input "${inputs.name}" is required (it has no default): give it in the run's inputs as inputs.${inputs.name}.`,
        {
          input: inputs.name,
        },
      );
    }
    if (inputs.type !== undefined) {
      const schema = typeof inputs.type === 'string' ? { type: inputs.type } : inputs.type;
      const problem = schemaProblem(schema);
      if (problem) throw invalidPin('input', 'type', `is not a usable JSON Schema: ${problem}`);
      const validate = compileDataSchema(schema);
      if (!validate(value)) {
        const problems = problemsFromErrors(validate.errors, { pointerPrefix: `/inputs/${inputs.name}` });
        throw new BlockError(BlockErrorCode.INVALID_INPUT, `Input "${inputs.name}" does not fit its type: ${problems.map((p) => p.message).join('; ')}`, {
          input: inputs.name,
          problems,
        });
      }
    }
    yield ['value', value] as const;
  },
});
