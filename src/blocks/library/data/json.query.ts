// `json.query`: a JSONata expression over `data`, evaluated in the sandbox pool (off the event loop, under
// sandbox.timeout and sandbox.memory). Here, once per expression text, it is parsed (a syntax error names
// the pin) and read for the top-level fields it uses, so that only those are copied into the sandbox.
import jsonata from 'jsonata';
import { jsonataFields, pickFields } from '../../../sandbox/references.js';
import { runSandboxed, sandboxFailure } from '../../block-sandbox.js';
import { BlockError, BlockErrorCode, invalidPin } from '../../blocks.errors.js';
import { anyValue, defineBlock, Type } from '../../pins.js';

const analysed = new Map<string, string[] | null>();
const ANALYSED_LIMIT = 500;

interface JsonataFailure {
  message?: string;
  position?: number;
}

/** The fields `expression` reads (null: all of them), or INVALID_INPUT when it is not JSONata. */
function analyse(expression: string): string[] | null {
  const known = analysed.get(expression);
  if (known !== undefined) return known;
  let fields: string[] | null;
  try {
    fields = jsonataFields(jsonata(expression).ast());
  } catch (error) {
    const failure = error as JsonataFailure;
    throw invalidPin(
      'json.query',
      'expression',
      `is not a valid JSONata expression: ${failure.message}${failure.position !== undefined ? ` (at character ${failure.position})` : ''}`,
    );
  }
  if (analysed.size >= ANALYSED_LIMIT) analysed.delete(analysed.keys().next().value!);
  analysed.set(expression, fields);
  return fields;
}

export const jsonQueryBlock = defineBlock({
  id: 'json.query',
  description:
    'Evaluates the JSONata expression `expression` over `data` (paths like pull_request.number, filters, $sum, object constructors...). Yields the result, or null when the expression selects nothing. Runs in the sandbox: at most sandbox.timeout (default 1 s) and sandbox.memory.',
  category: 'data',
  inputs: {
    data: anyValue({ description: 'The value to query.' }),
    expression: Type.String({
      minLength: 1,
      description: 'A JSONata expression, such as "{ \\"size\\": additions + deletions }".',
      'x-expected': 'a JSONata expression',
    }),
  },
  outputs: {
    result: anyValue({ description: 'The result (null when undefined).' }),
  },
  cost: 0,
  async *run(inputs, context) {
    const fields = analyse(inputs.expression);
    const outcome = await runSandboxed({ kind: 'jsonata', expression: inputs.expression, data: pickFields(inputs.data, fields) }, context);
    if (outcome.kind === 'ok') {
      yield ['result', JSON.parse(outcome.json) as unknown] as const;
      return;
    }
    if (outcome.kind !== 'error') throw sandboxFailure('JSONata expression', outcome, context);
    const why = outcome.code === 'D1011' ? 'it recursed too deeply' : outcome.message;
    throw new BlockError(
      BlockErrorCode.EXPRESSION_ERROR,
      `The JSONata expression failed: ${why}${outcome.position !== undefined ? ` (at character ${outcome.position})` : ''}.`,
      { jsonata_code: outcome.code },
    );
  },
});
