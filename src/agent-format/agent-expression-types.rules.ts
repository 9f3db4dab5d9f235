// Static type checks of constants that hold `${{ }}` (release-2.md section 2, issue 12 "static type checks"):
// a plain constant is checked against its pin's schema by checkConstants; a pin whose string holds an
// expression is checked here for what is knowable before it runs: text with expressions in it is text; one
// whole `${{ }}` has the type of a literal, an operator (`&` text, `+` a number, `>` true or false, `{}` an
// object) or a var's declared value; anything else (with, trigger, a function) is unknown and not checked.
// Only the JSON type is checked, never a format, pattern or range (an override may change a var's value), so
// nothing valid is refused.
import { expressionPins } from '../blocks/block-expressions.js';
import type { BlockDefinition } from '../blocks/block.types.js';
import { compileSchema, problemsFromErrors, showValue } from '../blocks/pin-validation.js';
import { holdsExpression } from './agent-expressions.rules.js';
import { nodeBlock, type AgentRuleState } from './agent.context.js';
import { isDict } from './agent.fields.js';
import { inputPins } from './agent.pins.js';
import { hasExpression, parseTemplate, type ExpressionTemplate } from './expression-template.js';

type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';

/** What an expression is known to give: a sample of its type, and how a person reads it. */
interface Known {
  sample: unknown;
  says: string;
}

const SAMPLES: Record<JsonType, Known> = {
  string: { sample: '', says: 'text' },
  number: { sample: 0, says: 'a number' },
  boolean: { sample: true, says: 'true or false' },
  null: { sample: null, says: 'null' },
  object: { sample: {}, says: 'an object' },
  array: { sample: [], says: 'a list' },
};

/** Union errors and type errors: what a value of the wrong JSON type gets, and nothing else. */
const TYPE_KEYWORDS: ReadonlySet<string> = new Set(['type', 'anyOf', 'oneOf']);

export function checkExpressionTypes(state: AgentRuleState): void {
  for (const id of Object.keys(state.agent.nodes)) {
    const found = nodeBlock(state, id);
    if (!found) continue;
    const { node, block } = found;
    const allowed = expressionPins(block);
    const sites = Object.entries(node.inputs).filter(
      (entry): entry is [string, string] => allowed[entry[0]] === true && typeof entry[1] === 'string' && hasExpression(entry[1]),
    );
    if (sites.length === 0) continue;
    // The other constants as written (those holding expressions left out): conditional rules read them.
    const plain = Object.fromEntries(Object.entries(node.inputs).filter(([pin, value]) => !(allowed[pin] && holdsExpression(value))));
    for (const [pin, text] of sites) {
      if (state.badConstants.has(`${id}.${pin}`)) continue;
      const parsed = parseTemplate(text);
      if ('error' in parsed) continue; // reported by checkExpressions
      const known = knownResult(parsed.ok, state.agent.vars ?? {});
      if (!known) continue;
      const takes = wrongType(block, plain, pin, known.sample);
      if (takes === null) continue;
      const source = parsed.ok.whole ? `\${{ ${firstSource(parsed.ok)} }}` : 'text with ${{ }} in it';
      state.sink.errorInText(
        ['nodes', id, 'inputs', pin],
        '${{',
        firstOccurrence(parsed.ok),
        `node "${id}" (${block.id}): ${pin} takes ${takes}, but ${source} gives ${known.says}. Give the pin a value of that type (or convert it in the expression, like $number(...) or $string(...)).`,
        { node: id, pin },
      );
    }
  }
}

/** What the pin takes when a value of `sample`'s type is refused for its type alone, else null. */
function wrongType(block: BlockDefinition, plain: Record<string, unknown>, pin: string, sample: unknown): string | null {
  if (!(pin in inputPins(block))) return null;
  const validate = compileSchema(block.inputSchema);
  if (validate({ ...plain, [pin]: structuredClone(sample) })) return null;
  const at = `/${pin.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  const here = (validate.errors ?? []).filter((error) => error.instancePath === at);
  if (!here.some((error) => error.keyword === 'type') || here.some((error) => !TYPE_KEYWORDS.has(error.keyword))) return null;
  const message = problemsFromErrors(here)[0]?.message;
  const expected = /expected (.*), got /.exec(message ?? '')?.[1];
  return expected ?? null;
}

/** What the template gives, where that is known. */
function knownResult(template: ExpressionTemplate, vars: Record<string, unknown>): Known | undefined {
  if (!template.whole) return SAMPLES.string;
  const part = template.parts[0];
  return part?.kind === 'expression' ? knownOf(part.ast as AstNode, vars) : undefined;
}

type AstNode = { type?: string; value?: unknown; steps?: AstNode[]; stages?: unknown[]; predicate?: unknown[]; procedure?: AstNode } & Record<string, unknown>;

const TEXT_FUNCTIONS = new Set(['string', 'uppercase', 'lowercase', 'trim', 'substring', 'substringBefore', 'substringAfter', 'join', 'pad', 'replace']);
const NUMBER_FUNCTIONS = new Set(['number', 'count', 'length', 'sum', 'round', 'floor', 'ceil', 'abs', 'power', 'sqrt', 'millis', 'toMillis']);
const BOOLEAN_FUNCTIONS = new Set(['boolean', 'not', 'exists', 'contains']);

function knownOf(ast: AstNode, vars: Record<string, unknown>): Known | undefined {
  switch (ast.type) {
    case 'string':
      return { sample: ast.value, says: showValue(ast.value) };
    case 'number':
      return { sample: ast.value, says: showValue(ast.value) };
    case 'value':
      return { sample: ast.value, says: showValue(ast.value) };
    case 'unary':
      return ast.value === '{' ? SAMPLES.object : ast.value === '-' ? SAMPLES.number : undefined;
    case 'binary':
      return binaryResult(String(ast.value));
    case 'function': {
      const name = String(ast.procedure?.value ?? '');
      if (ast.procedure?.type !== 'variable') return undefined;
      if (TEXT_FUNCTIONS.has(name)) return SAMPLES.string;
      if (NUMBER_FUNCTIONS.has(name)) return SAMPLES.number;
      return BOOLEAN_FUNCTIONS.has(name) ? SAMPLES.boolean : undefined;
    }
    case 'path':
      return varValue(ast, vars);
    default:
      return undefined;
  }
}

function binaryResult(operator: string): Known | undefined {
  if (operator === '&') return SAMPLES.string;
  if (['+', '-', '*', '/', '%'].includes(operator)) return SAMPLES.number;
  if (['=', '!=', '<', '<=', '>', '>=', 'and', 'or', 'in'].includes(operator)) return SAMPLES.boolean;
  return undefined;
}

/**
 * `vars.a.b`: the declared value's JSON type, when the path is plain names through objects to a value that
 * is neither null (a placeholder an environment fills) nor a list (JSONata flattens sequences).
 */
function varValue(ast: AstNode, vars: Record<string, unknown>): Known | undefined {
  const steps = ast.steps ?? [];
  if (steps.length < 2 || steps.some((step) => step.type !== 'name' || step.stages || step.predicate) || steps[0]!.value !== 'vars') return undefined;
  let value: unknown = vars;
  for (const step of steps.slice(1)) {
    if (!isDict(value) || !Object.hasOwn(value, String(step.value))) return undefined;
    value = value[String(step.value)];
  }
  if (value === null || value === undefined || Array.isArray(value)) return undefined;
  const type = (isDict(value) ? 'object' : typeof value) as JsonType;
  return { sample: SAMPLES[type].sample, says: `${SAMPLES[type].says} (${showValue(value)} in "vars:")` };
}

function firstSource(template: ExpressionTemplate): string {
  const part = template.parts.find((p) => p.kind === 'expression');
  return part?.kind === 'expression' ? part.source : '';
}

function firstOccurrence(template: ExpressionTemplate): number {
  const part = template.parts.find((p) => p.kind === 'expression');
  return part?.kind === 'expression' ? part.occurrence : 0;
}
