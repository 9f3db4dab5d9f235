// `${{ expression }}` in string constants (release-2.md section 2): splitting a string into literal text
// and JSONata expressions, the names each expression reads (`vars.x`, `with.x`, `execution`, `trigger`),
// and the `format: uri` rule (the scheme and host literal or from vars). Pure: the validator and the
// runtime (executions/node-expressions.ts) share it, so both read a string the same way.
import jsonata from 'jsonata';

/** The names an expression may start from. */
export const EXPRESSION_ROOTS = ['vars', 'with', 'execution', 'trigger'] as const;

export type TemplatePart =
  | { kind: 'text'; text: string }
  /** `occurrence`: how many `${{` come before it in the string (escaped ones included), to locate it in the source. */
  | { kind: 'expression'; source: string; ast: unknown; occurrence: number; encode: boolean };

export interface ExpressionTemplate {
  parts: TemplatePart[];
  /** The string is exactly one `${{ }}` (spaces around it aside): its result keeps its JSON type. */
  whole: boolean;
}

export interface TemplateError {
  occurrence: number;
  message: string;
}

const OPEN = '${{';

/** Whether a string holds a `${{` that is not written `$${{` (an expression, or a broken one). */
export function hasExpression(text: string): boolean {
  for (let at = text.indexOf(OPEN); at !== -1; at = text.indexOf(OPEN, at + OPEN.length)) if (text[at - 1] !== '$') return true;
  return false;
}

/**
 * Splits `text` into parts. Each `${{` ends at the first `}}` after which the expression parses (so `}}`
 * inside an object constructor is fine); `$${{` is the literal text `${{`. `uri`: mark the expressions
 * after the host as percent-encoded components.
 */
export function parseTemplate(text: string, uri = false): { ok: ExpressionTemplate } | { error: TemplateError } {
  const parts: TemplatePart[] = [];
  let literal = '';
  let cursor = 0;
  let occurrence = 0;
  for (let at = text.indexOf(OPEN); at !== -1; at = text.indexOf(OPEN, cursor)) {
    if (text[at - 1] === '$') {
      literal += text.slice(cursor, at - 1) + OPEN;
      cursor = at + OPEN.length;
      occurrence++;
      continue;
    }
    literal += text.slice(cursor, at);
    const found = closeOf(text, at + OPEN.length);
    if ('error' in found) return { error: { occurrence, message: found.error } };
    if (literal) parts.push({ kind: 'text', text: literal });
    literal = '';
    parts.push({ kind: 'expression', source: found.source, ast: found.ast, occurrence, encode: false });
    cursor = found.end;
    occurrence++;
  }
  literal += text.slice(cursor);
  if (literal) parts.push({ kind: 'text', text: literal });
  const expressions = parts.filter((part) => part.kind === 'expression');
  const whole = parts.length === 1 && expressions.length === 1;
  if (uri && !whole) markEncoded(parts);
  return { ok: { parts, whole } };
}

function closeOf(text: string, start: number): { source: string; ast: unknown; end: number } | { error: string } {
  let lastError: string | undefined;
  for (let close = text.indexOf('}}', start); close !== -1; close = text.indexOf('}}', close + 1)) {
    const source = text.slice(start, close).trim();
    if (source === '') return { error: 'the expression between ${{ and }} is empty; write one, or $${{ for the literal text' };
    try {
      return { source, ast: jsonata(source).ast(), end: close + 2 };
    } catch (error) {
      const failure = error as { message?: string; position?: number };
      lastError = `${failure.message ?? String(error)}${failure.position !== undefined ? ` (at character ${failure.position} of the expression)` : ''}`;
    }
  }
  return { error: lastError ? `not a valid JSONata expression: ${lastError}` : '${{ is not closed with }} (write $${{ for the literal text)' };
}

/** Expressions after the host (a literal /, ? or # once the scheme and host are written) are encoded. */
function markEncoded(parts: TemplatePart[]): void {
  let authority = false;
  let hostDone = false;
  for (const part of parts) {
    if (part.kind === 'expression') {
      if (hostDone) part.encode = true;
      else authority = true; // only a vars expression may stand here (checked by uriProblem)
      continue;
    }
    let rest = part.text;
    if (!authority) {
      const scheme = rest.indexOf('://');
      if (scheme === -1) continue;
      authority = true;
      rest = rest.slice(scheme + 3);
    }
    if (!hostDone && /[/?#]/.test(rest)) hostDone = true;
  }
}

/** In a `format: uri` pin: the first expression written before the host ends that reads more than vars, or null. */
export function uriProblem(template: ExpressionTemplate): TemplatePart | null {
  for (const part of template.parts) {
    if (part.kind !== 'expression' || part.encode) continue;
    const roots = new Set(readNames(part.ast).map((name) => name.root));
    if (roots.size !== 1 || !roots.has('vars')) return part;
  }
  return null;
}

export interface NameRead {
  /** The first step of a path at the top of the expression (`vars`, `with`, ... or an unknown name). */
  root: string;
  /** The second step (`vars.<name>`), when written as a plain name. */
  name?: string;
  /** Character offset in the expression. */
  position?: number;
}

type AstNode = { type?: string; value?: unknown; position?: number; steps?: AstNode[] } & Record<string, unknown>;

/**
 * Names read from the expression's input: the first steps of its paths, outside the steps of another path
 * (where a name is relative to that path's values), and outside function bodies (`function($x) {...}`).
 */
export function readNames(ast: unknown): NameRead[] {
  const found: NameRead[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    const node = value as AstNode;
    if (node.type === 'path' && Array.isArray(node.steps)) {
      const [first, second] = node.steps;
      if (first?.type === 'name') {
        found.push({
          root: String(first.value),
          ...(second?.type === 'name' ? { name: String(second.value) } : {}),
          ...(first.position !== undefined ? { position: first.position } : {}),
        });
      } else if (first) visit(first);
      return;
    }
    if (node.type === 'name') {
      found.push({ root: String(node.value), ...(node.position !== undefined ? { position: node.position } : {}) });
      return;
    }
    if (node.type === 'lambda') return;
    for (const [key, child] of Object.entries(node)) if (key !== 'procedure' && child !== null && typeof child === 'object') visit(child);
  };
  visit(ast);
  return found;
}
