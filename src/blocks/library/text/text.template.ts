// `text.template`: renders a LiquidJS template over `values`. Strict: a variable the values lack is an
// error (`| default` and `{% if %}` still work for optional ones). No file access, no code execution,
// and parse, render-time and memory limits against runaway templates. Parsed templates are cached.
import { Liquid, type Template } from 'liquidjs';
import { BlockError, BlockErrorCode, invalidPin } from '../../blocks.errors.js';
import { anyValue, defineBlock, dict, Type, withDefault } from '../../pins.js';

const liquid = new Liquid({
  strictVariables: true,
  strictFilters: true,
  lenientIf: true,
  ownPropertyOnly: true,
  // An in-memory (empty) template map: {% include %} and {% render %} never reach the file system.
  templates: {},
  parseLimit: 1_000_000,
  renderLimit: 2_000,
  memoryLimit: 64_000_000,
  // Objects and lists print as JSON rather than "[object Object]".
  outputEscape: (value: unknown) => (value !== null && typeof value === 'object' ? JSON.stringify(value) : value === null || value === undefined ? '' : String(value)),
});

const parsed = new Map<string, Template[]>();
const PARSED_LIMIT = 500;

function parse(template: string): Template[] {
  let templates = parsed.get(template);
  if (templates) return templates;
  try {
    templates = liquid.parse(template);
  } catch (error) {
    throw invalidPin('text.template', 'template', `is not a valid Liquid template: ${(error as Error).message}`);
  }
  if (parsed.size >= PARSED_LIMIT) parsed.delete(parsed.keys().next().value!);
  parsed.set(template, templates);
  return templates;
}

export const templateBlock = defineBlock({
  id: 'text.template',
  description:
    'Renders a LiquidJS template ({{ name }}, {% if %}, {% for %}, filters) over `values`. A variable missing from values is an error; use {{ x | default: "" }} for optional ones. Objects and lists print as JSON.',
  category: 'text',
  inputs: {
    template: Type.String({ description: 'LiquidJS template text, such as "Hello {{ user.name }}".' }),
    values: withDefault(dict(anyValue(), { description: 'The variables the template uses; link single keys with values.<key>.' }), {}),
  },
  outputs: {
    text: Type.String({ description: 'The rendered text.' }),
  },
  cost: 0,
  async *run(inputs) {
    const templates = parse(inputs.template);
    let text: unknown;
    try {
      text = await liquid.render(templates, inputs.values);
    } catch (error) {
      const message = (error as Error).message;
      const missing = (error as { originalError?: { variableName?: string } }).originalError?.variableName;
      if (missing) {
        const root = missing.split(/[.[]/)[0];
        throw new BlockError(
          BlockErrorCode.TEMPLATE_ERROR,
          `The template uses "${missing}", which values does not define (${message}). Give it in values (values.${root}), or write {{ ${missing} | default: "" }} if it is optional.`,
          { variable: missing },
        );
      }
      throw new BlockError(BlockErrorCode.TEMPLATE_ERROR, `The template could not be rendered: ${message}`);
    }
    yield ['text', String(text)] as const;
  },
});
