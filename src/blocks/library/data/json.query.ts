// `json.query`: a JSONata expression over `data`. Once per expression text it is parsed (a syntax error names
// the pin) and read: an expression that runs in linear time (sandbox/linear-jsonata.ts: paths, filters,
// arithmetic, a few linear builtins) is evaluated here, without the sandbox's round trip; any other runs in
// the sandbox pool (off the event loop, under sandbox.timeout and sandbox.memory) with only the top-level
// fields it reads copied in.
import jsonata from 'jsonata';
import { isLinearJsonata } from '../../../sandbox/linear-jsonata.js';
import { jsonataFields, pickFields } from '../../../sandbox/references.js';
import type { SandboxOutcome } from '../../../sandbox/sandbox.types.js';
import { DEFAULT_SANDBOX_SETTINGS } from '../../../sandbox/sandbox.types.js';
import { inOrder, runSandboxed, sandboxFailure } from '../../block-sandbox.js';
import { BlockError, BlockErrorCode, invalidPin } from '../../blocks.errors.js';
import { anyValue, defineBlock, Type } from '../../pins.js';
import { blockErrors, SANDBOX_ERRORS } from '../../block-errors.catalog.js';

interface Analysis {
  fields: string[] | null;
  /** Set when the expression runs in linear time: evaluated here. */
  inline: jsonata.Expression | null;
}

const analysed = new Map<string, Analysis>();
const ANALYSED_LIMIT = 500;

interface JsonataFailure {
  message?: string;
  position?: number;
}

/** The fields `expression` reads (null: all of them) and whether it runs here, or INVALID_INPUT when it is not JSONata. */
function analyse(expression: string): Analysis {
  const known = analysed.get(expression);
  if (known !== undefined) return known;
  let analysis: Analysis;
  try {
    const compiled = jsonata(expression);
    const ast = compiled.ast();
    analysis = { fields: jsonataFields(ast), inline: isLinearJsonata(ast) ? compiled : null };
  } catch (error) {
    const failure = error as JsonataFailure;
    throw invalidPin(
      'json.query',
      'expression',
      `is not a valid JSONata expression: ${failure.message}${failure.position !== undefined ? ` (at character ${failure.position})` : ''}`,
    );
  }
  if (analysed.size >= ANALYSED_LIMIT) analysed.delete(analysed.keys().next().value!);
  analysed.set(expression, analysis);
  return analysis;
}

/** A linear expression evaluated on the event loop, answered like the sandbox answers. */
async function evaluateInline(expression: jsonata.Expression, data: unknown, maxValueBytes: number): Promise<SandboxOutcome> {
  try {
    const result = (await expression.evaluate(data)) as unknown;
    const json = result === undefined ? 'null' : JSON.stringify(result);
    if (json.length > maxValueBytes) return { id: 0, kind: 'too_large', message: 'the result is too large', bytes: json.length };
    return { id: 0, kind: 'ok', json };
  } catch (error) {
    const failure = error as JsonataFailure & { code?: string };
    return {
      id: 0,
      kind: 'error',
      name: 'JSONataError',
      message: failure.message ?? String(error),
      ...(failure.code ? { code: failure.code } : {}),
      ...(failure.position !== undefined ? { position: failure.position } : {}),
    };
  }
}

export const jsonQueryBlock = defineBlock({
  id: 'json.query',
  description:
    'Evaluates the JSONata expression `expression` over `data` (paths like pull_request.number, filters, $sum, object constructors...). Yields the result, or null when the expression selects nothing. Expressions that could run long (functions, ranges, regular expressions, bindings) run in the sandbox: at most sandbox.timeout (default 1 s) and sandbox.memory.',
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
  errors: blockErrors('EXPRESSION_ERROR', ...SANDBOX_ERRORS),
  async *run(inputs, context) {
    const { fields, inline } = analyse(inputs.expression);
    const maxValueBytes = (context.settings.sandbox ?? DEFAULT_SANDBOX_SETTINGS).maxValueBytes;
    const outcome = inline
      ? await inOrder(evaluateInline(inline, inputs.data, maxValueBytes), context)
      : await runSandboxed({ kind: 'jsonata', expression: inputs.expression, data: pickFields(inputs.data, fields) }, context);
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
