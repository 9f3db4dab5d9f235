// Validation of `${{ }}` expressions (release-2.md section 2): only in pins whose block marks them, never in
// credentials; each expression's syntax, every `vars.x` against `vars:`, every `with.x` against the node's
// `with` links, and the scheme and host of `format: uri` pins. Problems sit at the line:col of the `${{`.
import { expressionPins, isUriPin } from '../blocks/block-expressions.js';
import type { JsonSchema } from '../blocks/block.types.js';
import type { AgentRuleState } from './agent.context.js';
import { isDict } from './agent.fields.js';
import { inputPins } from './agent.pins.js';
import type { DocPath } from './agent.problems.js';
import { suggestion } from './agent.suggest.js';
import { EXPRESSION_ROOTS, hasExpression, parseTemplate, readNames, type TemplatePart } from './expression-template.js';

/** The reserved input pin of every node: `node.with.<name>` links feed its expressions. */
export const WITH_PIN = 'with';
const OPEN = '${{';

export function checkExpressions(state: AgentRuleState): void {
  const { sink, agent, links } = state;
  const declared = Object.keys(agent.vars ?? {});
  for (const [id, node] of Object.entries(agent.nodes)) {
    for (const [field, name] of Object.entries(node.credentials)) {
      if (hasExpression(name))
        sink.errorInText(['nodes', id, 'credentials', field], OPEN, 0, 'a credential is named as written: ${{ }} is not allowed here', { node: id });
    }
    const block = state.blocks.get(id);
    if (!block) continue;
    const allowed = expressionPins(block);
    const pins = inputPins(block);
    const withNames = links.filter((link) => link.to.node === id && link.to.pin === WITH_PIN && link.to.key !== undefined).map((link) => link.to.key!);
    for (const [pin, value] of Object.entries(node.inputs)) {
      eachString(value, ['nodes', id, 'inputs', pin], (text, path) => {
        if (!hasExpression(text)) return;
        const options = { node: id, pin };
        if (!allowed[pin]) {
          const why = block.trigger || block.id.startsWith('trigger.') ? 'trigger inputs are read when the agent is synced' : 'this pin is read as written';
          sink.errorInText(
            path,
            OPEN,
            firstOccurrence(text),
            `${block.id}.${pin} takes no \${{ }} (${why}): pass the value through a data pin, or write $\${{ for the literal text`,
            options,
          );
          return;
        }
        const uri = path.length === 4 && isUriPin(pins[pin] as JsonSchema | undefined);
        const parsed = parseTemplate(text, uri);
        if ('error' in parsed) return sink.errorInText(path, OPEN, parsed.error.occurrence, `\${{ }}: ${parsed.error.message}`, options);
        for (const part of parsed.ok.parts) if (part.kind === 'expression') checkNames(state, part, path, { declared, withNames, options });
        if (uri) checkUri(state, parsed.ok, path, pin, options);
      });
    }
  }
}

function checkNames(
  state: AgentRuleState,
  part: Extract<TemplatePart, { kind: 'expression' }>,
  path: DocPath,
  known: { declared: string[]; withNames: string[]; options: { node: string; pin: string } },
): void {
  const { sink } = state;
  const at = (message: string) => sink.errorInText(path, OPEN, part.occurrence, message, known.options);
  for (const read of readNames(part.ast)) {
    if (!(EXPRESSION_ROOTS as readonly string[]).includes(read.root)) {
      at(`\${{ ${part.source} }} reads "${read.root}": expressions read vars, with, execution and trigger (like vars.${read.root} or with.${read.root}).`);
    } else if (read.root === 'vars' && read.name !== undefined && !known.declared.includes(read.name)) {
      const hint = known.declared.length ? suggestion(read.name, known.declared, 'vars') : ' The agent declares no vars.';
      at(`\${{ ${part.source} }} reads vars.${read.name}, which "vars:" does not declare.${hint} Add "${read.name}:" under "vars:".`);
    } else if (read.root === 'with' && read.name !== undefined && !known.withNames.includes(read.name)) {
      const node = known.options.node;
      at(
        `\${{ ${part.source} }} reads with.${read.name}, but no link ends at ${node}.with.${read.name}; add a link "<node>.<pin> -> ${node}.with.${read.name}".`,
      );
    }
  }
}

/** `format: uri`: before the host ends, only expressions that read vars alone (the scheme and host come from configuration, not data). */
function checkUri(
  state: AgentRuleState,
  template: { parts: TemplatePart[]; whole: boolean },
  path: DocPath,
  pin: string,
  options: { node: string; pin: string },
): void {
  for (const part of template.parts) {
    if (part.kind !== 'expression' || part.encode) continue;
    const roots = new Set(readNames(part.ast).map((read) => read.root));
    if (roots.size === 1 && roots.has('vars')) continue;
    state.sink.errorInText(
      path,
      OPEN,
      part.occurrence,
      `${pin} is a URL: its scheme and host must be written out or come from vars (like "\${{ vars.api }}/orders/\${{ with.id }}"); \${{ ${part.source} }} stands before the host ends. Link a whole URL to the pin instead if it comes from data.`,
      options,
    );
  }
}

/** Whether a constant holds an expression anywhere (its schema is checked after evaluation, not as written). */
export function holdsExpression(value: unknown): boolean {
  let found = false;
  eachString(value, [], (text) => (found ||= hasExpression(text)));
  return found;
}

function firstOccurrence(text: string): number {
  let occurrence = 0;
  for (let at = text.indexOf(OPEN); at !== -1; at = text.indexOf(OPEN, at + OPEN.length), occurrence++) if (text[at - 1] !== '$') return occurrence;
  return 0;
}

/** Calls `visit` for every string inside a constant, with its document path. */
export function eachString(value: unknown, path: DocPath, visit: (text: string, path: DocPath) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((item, i) => eachString(item, [...path, i], visit));
  else if (isDict(value)) for (const [key, item] of Object.entries(value)) eachString(item, [...path, key], visit);
}
