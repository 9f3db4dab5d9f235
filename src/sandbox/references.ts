// What data an expression can read, so that only that is copied into the sandbox. Conservative: the answer
// is a list of top-level fields only when every way the expression reaches its input is a plain field
// name; anything else (`$`, `$$`, `*`, `**`, `%`, a function that may take the input implicitly, a node
// this walker does not know) answers null: copy everything. Answers are cached by expression text.

type Node = Record<string, unknown> & { type?: string };

/** JSONata builtins that read the context when called with fewer arguments than this (signatures with `-`). */
const CONTEXT_PARAMS: Record<string, number> = {
  string: 2,
  substring: 3,
  substringBefore: 2,
  substringAfter: 2,
  lowercase: 1,
  uppercase: 1,
  length: 1,
  trim: 1,
  pad: 3,
  match: 3,
  contains: 2,
  replace: 4,
  split: 3,
  formatNumber: 3,
  formatBase: 2,
  formatInteger: 2,
  parseInteger: 2,
  number: 1,
  floor: 1,
  ceil: 1,
  round: 2,
  abs: 1,
  sqrt: 1,
  power: 2,
  boolean: 1,
  not: 1,
  sift: 2,
  keys: 1,
  lookup: 2,
  spread: 1,
  each: 2,
  base64encode: 1,
  base64decode: 1,
  encodeUrlComponent: 1,
  encodeUrl: 1,
  decodeUrlComponent: 1,
  decodeUrl: 1,
  toMillis: 2,
  fromMillis: 3,
  clone: 1,
};

class Everything extends Error {}

/** The top-level fields a JSONata AST reads from its input, or null when that cannot be told cheaply. */
export function jsonataFields(ast: unknown): string[] | null {
  const fields = new Set<string>();
  const walk = (value: unknown, atRoot: boolean): void => {
    if (Array.isArray(value)) return value.forEach((item) => walk(item, atRoot));
    if (value === null || typeof value !== 'object') return;
    const node = value as Node;
    switch (node.type) {
      case 'string':
      case 'number':
      case 'value':
      case 'regex':
        return;
      case 'name':
        if (atRoot) fields.add(String(node.value));
        return walkStep(node);
      case 'variable':
        // `$` at the input itself, or `$$` anywhere: the whole input.
        if ((node.value === '' && atRoot) || node.value === '$') throw new Everything();
        return walkStep(node);
      case 'wildcard':
      case 'descendant':
      case 'parent':
        if (atRoot || node.type === 'parent') throw new Everything();
        return walkStep(node);
      case 'path': {
        const steps = node.steps as unknown[];
        steps.forEach((step, i) => walk(step, atRoot && i === 0));
        if (node.group) walk((node.group as Node).lhs, false);
        return;
      }
      case 'function':
      case 'partial': {
        const procedure = node.procedure as Node;
        const params = procedure.type === 'variable' ? CONTEXT_PARAMS[String(procedure.value)] : undefined;
        if (atRoot && params !== undefined && (node.arguments as unknown[]).length < params) throw new Everything();
        if (procedure.type !== 'variable') walk(procedure, atRoot);
        walk(node.arguments, atRoot);
        return walkStep(node);
      }
      case 'lambda':
        // A lambda's body reads the context it was defined in.
        return walk(node.body, atRoot);
      case 'condition':
        return [node.condition, node.then, node.else].forEach((part) => walk(part, atRoot));
      case 'block':
        walk(node.expressions, atRoot);
        return walkStep(node);
      case 'bind':
        return walk(node.rhs, atRoot);
      case 'binary':
      case 'apply':
        walk(node.lhs, atRoot);
        return walk(node.rhs, atRoot);
      case 'unary':
        walk(node.value === '[' ? node.expressions : node.value === '{' ? node.lhs : node.expression, atRoot);
        return walkStep(node);
      case 'sort':
        return (node.terms as Node[]).forEach((term) => walk(term.expression, false));
      case 'transform':
        // Applied to its argument, never to the input itself.
        return [node.pattern, node.update, node.delete].forEach((part) => walk(part, false));
      default:
        throw new Everything();
    }
  };
  // Filters, predicates and groups of a step read each item it selected, not the input.
  const walkStep = (node: Node): void => {
    for (const stage of (node.stages ?? node.predicate ?? []) as Node[]) walk(stage.expr, false);
    if (node.group) walk((node.group as Node).lhs, false);
  };
  try {
    walk(ast, true);
    return [...fields];
  } catch (error) {
    if (error instanceof Everything) return null;
    throw error;
  }
}

/** Liquid: top-level variables a template reads (from the engine's own analysis), or null for dynamic lookups. */
export function liquidFields(template: string, globalVariables: () => string[]): string[] | null {
  // `{{ [name] }}` looks a variable up by the value of another: the analysis cannot see which.
  // (A `[` after anything but a name, `]` or `)` may be one; literal text that looks so only costs a full copy.)
  if (/(^|[^\w\])\s])\s*\[/.test(template)) return null;
  try {
    return globalVariables();
  } catch {
    return null;
  }
}

/** `data` reduced to `fields` (when it is an object and the fields are known), else `data` itself. */
export function pickFields(data: unknown, fields: readonly string[] | null): unknown {
  if (fields === null || data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  const picked: Record<string, unknown> = {};
  for (const field of fields) if (Object.hasOwn(data, field)) picked[field] = (data as Record<string, unknown>)[field];
  return picked;
}
