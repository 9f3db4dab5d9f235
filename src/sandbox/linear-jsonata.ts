// Which JSONata expressions run in time linear in their input, so that they may be evaluated on the event
// loop without the sandbox's round trip (release-2 section 1: user computation either runs in linear time
// or runs off the event loop). Conservative by construction: an expression qualifies only when every node
// of its AST is of a kind listed here. What is left out can loop, recurse, re-read its whole input from a
// nested step, or grow its output faster than its input: function definitions, bindings (`:=`), variables
// other than the context `$` (so no `$$`, which re-reads the root from inside a mapping), the parent
// operator `%`, ranges `..`, regular expressions, `~>`, transforms, and any builtin not listed (`$distinct`
// compares pairs, `$pad`/`$sort` with a comparator/`$eval` are not linear or not bounded). Anything unknown
// answers false and goes to the sandbox, so a mistake here costs speed, never safety.

type Node = Record<string, unknown> & { type?: string; value?: unknown };

const NODE_TYPES = new Set([
  'path',
  'name',
  'string',
  'number',
  'value',
  'binary',
  'unary',
  'block',
  'condition',
  'function',
  'variable',
  'wildcard',
  'descendant',
  'filter',
  'sort',
]);
const BINARY = new Set(['+', '-', '*', '/', '%', '=', '!=', '<', '<=', '>', '>=', 'and', 'or', '&', 'in']);
const UNARY = new Set(['-', '[', '{']);
/** Builtins linear in their arguments' size. */
const FUNCTIONS = new Set([
  'count',
  'sum',
  'max',
  'min',
  'average',
  'exists',
  'string',
  'number',
  'boolean',
  'not',
  'length',
  'substring',
  'substringBefore',
  'substringAfter',
  'uppercase',
  'lowercase',
  'trim',
  'keys',
  'values',
  'lookup',
  'join',
  'append',
  'reverse',
  'merge',
  'type',
  'floor',
  'ceil',
  'round',
  'abs',
]);

function linearNode(node: Node): boolean {
  const type = node.type;
  if (type === undefined) return true; // a plain container (object-constructor pairs, sort terms)
  if (!NODE_TYPES.has(type)) return false;
  if (type === 'binary') return BINARY.has(String(node.value));
  if (type === 'unary') return UNARY.has(String(node.value));
  if (type === 'variable') return node.value === '';
  if (type === 'function') {
    const procedure = node.procedure as Node | undefined;
    return procedure?.type === 'variable' && FUNCTIONS.has(String(procedure.value));
  }
  if (type === 'sort') return true;
  return true;
}

/** Whether every node of a parsed JSONata AST is of a linear-time kind (see above). */
export function isLinearJsonata(ast: unknown): boolean {
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      stack.push(...(value as unknown[]));
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    const node = value as Node;
    if (!linearNode(node)) return false;
    for (const [key, child] of Object.entries(node)) {
      // `procedure` of a function call was checked above; positions and flags are plain values.
      if (key !== 'procedure' && child !== null && typeof child === 'object') stack.push(child);
    }
  }
  return true;
}
