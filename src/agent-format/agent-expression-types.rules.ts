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
import { toPointer, type DocPath } from './agent.problems.js';
import type { ErrorObject } from 'ajv/dist/2020.js';
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

/** Keywords whose failure may come from any value beneath them. */
const UNIONS: ReadonlySet<string> = new Set(['anyOf', 'oneOf', 'if', 'not']);

export function checkExpressionTypes(state: AgentRuleState): void {
  for (const id of Object.keys(state.agent.nodes)) {
    const found = nodeBlock(state, id);
    if (!found) continue;
    const { node, block } = found;
    const allowed = expressionPins(block);
    const pins = inputPins(block);
    const holding = Object.keys(node.inputs).filter((pin) => allowed[pin] === true && pin in pins && holdsExpression(node.inputs[pin]));
    if (holding.length === 0) continue;
    // The other constants as written (those holding expressions left out): conditional rules read them.
    const plain = Object.fromEntries(Object.entries(node.inputs).filter(([pin]) => !holding.includes(pin)));
    for (const pin of holding) checkPin(state, { id, block, plain, pin });
  }
}

/** One string holding `${{ }}` inside a pin's constant, and what it is known to give (null: it does not parse). */
interface Probe {
  pointer: string;
  path: DocPath;
  template: ExpressionTemplate | null;
  known: Known | undefined;
}

/**
 * A pin's constant with each string holding `${{ }}` replaced by a sample of what it gives (kept as written
 * when unknown), checked against the block's schema. Reported: a known sample refused for its type alone,
 * and a plain constant beside the expressions that does not fit; never anything at, around or under an
 * unknown value, nor beneath a union or rule that an unknown value takes part in.
 */
function checkPin(state: AgentRuleState, site: { id: string; block: BlockDefinition; plain: Record<string, unknown>; pin: string }): void {
  const { id, block, plain, pin } = site;
  const probes: Probe[] = [];
  const probed = probe(state.agent.nodes[id]!.inputs[pin], { path: ['nodes', id, 'inputs', pin], pointer: toPointer([pin]) }, state.agent.vars ?? {}, probes);
  if (probes.some((p) => p.template === null)) return; // a syntax error, reported by checkExpressions
  const validate = compileSchema(block.inputSchema);
  if (validate({ ...plain, [pin]: probed })) return;
  const errors = validate.errors ?? [];
  const under = (a: string, b: string) => a === b || a.startsWith(`${b}/`);
  const related = (a: string, b: string) => under(a, b) || under(b, a);
  const unknown = probes.filter((p) => !p.known).map((p) => p.pointer);
  const shaky = errors.filter((e) => UNIONS.has(e.keyword) && unknown.some((u) => related(u, e.instancePath))).map((e) => e.instancePath);
  const sure = errors.filter(
    (e) => under(e.instancePath, toPointer([pin])) && !unknown.some((u) => related(u, e.instancePath)) && !shaky.some((s) => under(e.instancePath, s)),
  );
  for (const at of new Set(sure.map((e) => e.instancePath))) {
    const here = sure.filter((e) => e.instancePath === at);
    const expression = probes.find((p) => p.pointer === at);
    if (expression) reportType(state, site, expression, here);
    else reportPlain(state, site, here);
  }
}

function reportType(state: AgentRuleState, { id, block, pin }: { id: string; block: BlockDefinition; pin: string }, site: Probe, here: ErrorObject[]): void {
  if (here.some((e) => !TYPE_KEYWORDS.has(e.keyword)) || !here.some((e) => e.keyword === 'type')) return;
  const takes = /expected (.*), got /.exec(problemsFromErrors(here)[0]?.message ?? '')?.[1];
  const part = site.template!.parts.find((p) => p.kind === 'expression');
  if (!takes || part?.kind !== 'expression') return;
  const source = site.template!.whole ? `\${{ ${part.source} }}` : 'text with ${{ }} in it';
  const where = site.path.slice(3).join('.');
  state.sink.errorInText(
    site.path,
    '${{',
    part.occurrence,
    `node "${id}" (${block.id}): ${where} takes ${takes}, but ${source} gives ${site.known!.says}. Give the pin a value of that type (or convert it in the expression, like $number(...) or $string(...)).`,
    { node: id, pin },
  );
}

function reportPlain(state: AgentRuleState, { id, block, pin }: { id: string; block: BlockDefinition; pin: string }, here: ErrorObject[]): void {
  state.badConstants.add(`${id}.${pin}`);
  for (const problem of problemsFromErrors(here, { pins: Object.keys(inputPins(block)), owner: `block ${block.id}` })) {
    const segments = problem
      .pointer!.split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    state.sink.error(['nodes', id, 'inputs', ...segments], `node "${id}" (${block.id}): ${problem.message}`, { node: id, pin });
  }
}

/** A copy of `value` with each string holding `${{ }}` replaced by its sample (kept when unknown), each recorded in `probes`. */
function probe(value: unknown, at: { path: DocPath; pointer: string }, vars: Record<string, unknown>, probes: Probe[]): unknown {
  if (typeof value === 'string') {
    if (!hasExpression(value)) return value;
    const parsed = parseTemplate(value);
    const template = 'ok' in parsed ? parsed.ok : null;
    const known = template ? knownResult(template, vars) : undefined;
    probes.push({ ...at, template, known });
    return known ? structuredClone(known.sample) : value;
  }
  const inner = (key: string | number, item: unknown) =>
    probe(item, { path: [...at.path, key], pointer: `${at.pointer}${toPointer([String(key)])}` }, vars, probes);
  if (Array.isArray(value)) return value.map((item, i) => inner(i, item));
  if (isDict(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, inner(key, item)]));
  return value;
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
