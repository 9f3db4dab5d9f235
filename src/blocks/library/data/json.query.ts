// `json.query`: a JSONata expression over `data`. Compiled expressions are cached (expressions are node
// constants, evaluated on every run); evaluation has a time and depth limit; undefined answers null.
import jsonata from 'jsonata';
import { BlockError, BlockErrorCode, invalidPin } from '../../blocks.errors.js';
import { anyValue, defineBlock, Type } from '../../pins.js';

/** Evaluation limits: a runaway expression fails instead of holding the worker. */
const EVALUATION_LIMITS = { timeout: 5_000, stack: 500 };
const compiled = new Map<string, jsonata.Expression>();
const COMPILED_LIMIT = 500;

interface JsonataFailure {
  code?: string;
  position?: number;
  token?: string;
  message?: string;
}

function compile(expression: string): jsonata.Expression {
  let expr = compiled.get(expression);
  if (expr) return expr;
  try {
    expr = jsonata(expression, EVALUATION_LIMITS as jsonata.JsonataOptions);
  } catch (error) {
    const failure = error as JsonataFailure;
    throw invalidPin('json.query', 'expression', `is not a valid JSONata expression: ${failure.message}${failure.position !== undefined ? ` (at character ${failure.position})` : ''}`);
  }
  if (compiled.size >= COMPILED_LIMIT) compiled.delete(compiled.keys().next().value!);
  compiled.set(expression, expr);
  return expr;
}

export const jsonQueryBlock = defineBlock({
  id: 'json.query',
  description:
    'Evaluates the JSONata expression `expression` over `data` (paths like pull_request.number, filters, $sum, object constructors...). Yields the result, or null when the expression selects nothing.',
  category: 'data',
  inputs: {
    data: anyValue({ description: 'The value to query.' }),
    expression: Type.String({ minLength: 1, description: 'A JSONata expression, such as "{ \\"size\\": additions + deletions }".', 'x-expected': 'a JSONata expression' }),
  },
  outputs: {
    result: anyValue({ description: 'The result (null when undefined).' }),
  },
  cost: 0,
  async *run(inputs) {
    const expr = compile(inputs.expression);
    let result: unknown;
    try {
      result = await expr.evaluate(inputs.data);
    } catch (error) {
      const failure = error as JsonataFailure;
      const why = failure.code === 'D1012' ? 'it ran longer than 5 s' : failure.code === 'D1011' ? 'it recursed too deeply' : failure.message;
      throw new BlockError(
        BlockErrorCode.EXPRESSION_ERROR,
        `The JSONata expression failed: ${why}${failure.position !== undefined ? ` (at character ${failure.position})` : ''}.`,
        { jsonata_code: failure.code },
      );
    }
    // JSONata marks its arrays with extra properties and answers functions as objects; JSON is what
    // travels along links.
    const text = JSON.stringify(result, (_key, value: unknown) => (isFunction(value) ? undefined : value));
    const plain = text === undefined ? null : (JSON.parse(text) as unknown);
    yield ['result', plain] as const;
  },
});

function isFunction(value: unknown): boolean {
  if (typeof value === 'function') return true;
  const marked = value as { _jsonata_function?: unknown; _jsonata_lambda?: unknown } | null;
  return typeof marked === 'object' && marked !== null && (marked._jsonata_function === true || marked._jsonata_lambda === true);
}
