// n8n IF / Switch / Filter conditions (filter v2: `conditions.conditions[]` with operator.operation and a
// combinator; v1: `conditions.string|number|boolean[]` with value1/operation/value2) as one JSONata
// expression over the item the node receives, for a json.query node. null with a reason when a side or an
// operation cannot be expressed.
import { convertParameter, relativeJsonata, type ExpressionScope } from './n8n.expressions.js';

type Side = { ok: true; code: string } | { ok: false; why: string };

function side(value: unknown, scope: ExpressionScope, dataRef: string): Side {
  const converted = convertParameter(value, scope);
  if (converted.kind === 'constant') return { ok: true, code: JSON.stringify(converted.value ?? null) };
  if (converted.kind === 'link') {
    const path = relativeJsonata(converted.from, dataRef);
    return path ? { ok: true, code: path } : { ok: false, why: `${String(value)} does not read the item this node receives` };
  }
  return { ok: false, why: `${String(value)} is not a single path into the item` };
}

const BINARY: Record<string, (l: string, r: string) => string> = {
  equals: (l, r) => `${l} = ${r}`,
  equal: (l, r) => `${l} = ${r}`,
  notEquals: (l, r) => `${l} != ${r}`,
  notEqual: (l, r) => `${l} != ${r}`,
  contains: (l, r) => `$contains($string(${l}), $string(${r}))`,
  notContains: (l, r) => `$not($contains($string(${l}), $string(${r})))`,
  startsWith: (l, r) => `$substring($string(${l}), 0, $length($string(${r}))) = $string(${r})`,
  endsWith: (l, r) => `$substring($string(${l}), -$length($string(${r}))) = $string(${r})`,
  gt: (l, r) => `${l} > ${r}`,
  larger: (l, r) => `${l} > ${r}`,
  gte: (l, r) => `${l} >= ${r}`,
  largerEqual: (l, r) => `${l} >= ${r}`,
  lt: (l, r) => `${l} < ${r}`,
  smaller: (l, r) => `${l} < ${r}`,
  lte: (l, r) => `${l} <= ${r}`,
  smallerEqual: (l, r) => `${l} <= ${r}`,
};

const UNARY: Record<string, (l: string) => string> = {
  exists: (l) => `$exists(${l})`,
  notExists: (l) => `$not($exists(${l}))`,
  empty: (l) => `($not($exists(${l})) or ${l} = null or ${l} = "" or $count(${l}) = 0)`,
  isEmpty: (l) => `($not($exists(${l})) or ${l} = null or ${l} = "")`,
  notEmpty: (l) => `($exists(${l}) and ${l} != null and ${l} != "")`,
  isNotEmpty: (l) => `($exists(${l}) and ${l} != null and ${l} != "")`,
  true: (l) => `${l} = true`,
  false: (l) => `${l} = false`,
};

function one(operation: string, left: unknown, right: unknown, scope: ExpressionScope, dataRef: string): { code: string } | { why: string } {
  const l = side(left, scope, dataRef);
  if (!l.ok) return { why: l.why };
  const unary = UNARY[operation];
  if (unary) return { code: unary(l.code) };
  const binary = BINARY[operation];
  if (!binary) return { why: `the operation "${operation}" has no equivalent (regular expressions and dates are not carried)` };
  const r = side(right, scope, dataRef);
  if (!r.ok) return { why: r.why };
  return { code: binary(l.code, r.code) };
}

/** The JSONata of a condition set, or why it cannot be written. */
export function conditionsJsonata(conditions: unknown, scope: ExpressionScope, dataRef: string, combinatorV1?: unknown): { code: string } | { why: string } {
  const c = (conditions ?? {}) as Record<string, unknown>;
  const parts: string[] = [];
  let combinator: string;
  if (Array.isArray(c.conditions)) {
    combinator = c.combinator === 'or' ? 'or' : 'and';
    for (const entry of c.conditions as Array<Record<string, unknown>>) {
      const operator = (entry.operator ?? {}) as { operation?: string };
      const result = one(operator.operation ?? 'equals', entry.leftValue, entry.rightValue, scope, dataRef);
      if ('why' in result) return result;
      parts.push(`(${result.code})`);
    }
  } else {
    combinator = combinatorV1 === 'any' ? 'or' : 'and';
    for (const kind of ['string', 'number', 'boolean', 'dateTime']) {
      for (const entry of (c[kind] ?? []) as Array<Record<string, unknown>>) {
        if (kind === 'dateTime') return { why: 'date conditions are not carried' };
        const result = one(String(entry.operation ?? 'equal'), entry.value1, entry.value2, scope, dataRef);
        if ('why' in result) return result;
        parts.push(`(${result.code})`);
      }
    }
  }
  if (parts.length === 0) return { why: 'it has no conditions' };
  return { code: parts.join(` ${combinator} `) };
}
