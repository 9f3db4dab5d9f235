// `text.template`: renders a LiquidJS template over `values`, in the sandbox pool (off the event loop, under
// sandbox.timeout and sandbox.memory). Strict: a variable the values lack is an error (`| default` and
// `{% if %}` still work for optional ones). No file access, no code execution. Here, once per template
// text, it is parsed (a syntax error names the pin) and read for the variables it uses, so that only those
// values are copied into the sandbox.
import { Liquid } from 'liquidjs';
import { liquidFields, pickFields } from '../../../sandbox/references.js';
import { runSandboxed, sandboxFailure } from '../../block-sandbox.js';
import { BlockError, BlockErrorCode, invalidPin } from '../../blocks.errors.js';
import { anyValue, defineBlock, dict, Type, withDefault } from '../../pins.js';
import { blockErrors, SANDBOX_ERRORS } from '../../block-errors.catalog.js';

/** Parses and analyses only; rendering happens in the sandbox with the same options. */
const liquid = new Liquid({ strictVariables: true, strictFilters: true, lenientIf: true, ownPropertyOnly: true, templates: {}, parseLimit: 1_000_000 });

const analysed = new Map<string, string[] | null>();
const ANALYSED_LIMIT = 500;

/** The variables `template` reads (null: all of them), or INVALID_INPUT when it is not Liquid. */
function analyse(template: string): string[] | null {
  const known = analysed.get(template);
  if (known !== undefined) return known;
  let fields: string[] | null;
  try {
    const templates = liquid.parse(template);
    fields = liquidFields(template, () => liquid.globalVariablesSync(templates));
  } catch (error) {
    throw invalidPin('text.template', 'template', `is not a valid Liquid template: ${(error as Error).message}`);
  }
  if (analysed.size >= ANALYSED_LIMIT) analysed.delete(analysed.keys().next().value!);
  analysed.set(template, fields);
  return fields;
}

export const templateBlock = defineBlock({
  id: 'text.template',
  description:
    'Renders a LiquidJS template ({{ name }}, {% if %}, {% for %}, filters) over `values`. A variable missing from values is an error; use {{ x | default: "" }} for optional ones. Objects and lists print as JSON. Runs in the sandbox: at most sandbox.timeout (default 1 s) and sandbox.memory.',
  category: 'text',
  inputs: {
    template: Type.String({ description: 'LiquidJS template text, such as "Hello {{ user.name }}".' }),
    values: withDefault(dict(anyValue(), { description: 'The variables the template uses; link single keys with values.<key>.' }), {}),
  },
  outputs: {
    text: Type.String({ description: 'The rendered text.' }),
  },
  cost: 0,
  errors: blockErrors('TEMPLATE_ERROR', ...SANDBOX_ERRORS),
  async *run(inputs, context) {
    const fields = analyse(inputs.template);
    const values = pickFields(inputs.values, fields) as Record<string, unknown>;
    const outcome = await runSandboxed({ kind: 'liquid', template: inputs.template, values }, context);
    if (outcome.kind === 'ok') {
      yield ['text', JSON.parse(outcome.json) as string] as const;
      return;
    }
    if (outcome.kind !== 'error') throw sandboxFailure('template', outcome, context);
    const missing = outcome.variable;
    if (missing) {
      const root = missing.split(/[.[]/)[0];
      throw new BlockError(
        BlockErrorCode.TEMPLATE_ERROR,
        `The template uses "${missing}", which values does not define (${outcome.message}). Give it in values (values.${root}), or write {{ ${missing} | default: "" }} if it is optional.`,
        { variable: missing },
      );
    }
    throw new BlockError(BlockErrorCode.TEMPLATE_ERROR, `The template could not be rendered: ${outcome.message}`);
  },
});
