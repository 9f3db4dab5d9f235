// `logic.condition`: compares left and right, yields the boolean on `result`, and yes_value on `yes` or
// no_value on `no` (both default to left), so a graph can branch. `==` is deep equality; ordering
// compares numbers only, and anything else is a clear error rather than a JavaScript coercion.
import { invalidPin } from '../../blocks.errors.js';
import { showValue } from '../../pin-validation.js';
import { anyValue, defineBlock, optional, Type, withDefault } from '../../pins.js';
import { compileRegex, regexPinWhen } from '../text/regex.js';
import { deepEqual } from './deep-equal.js';

export const CONDITION_OPERATORS = ['==', '!=', '>', '>=', '<', '<=', 'contains', 'matches'] as const;
type Operator = (typeof CONDITION_OPERATORS)[number];

/**
 * With an ordering operator, constant sides must be numbers: caught when the agent is validated (release-2.md
 * "static type checks": `right: "100"` with `>=`), not only when it runs. Linked sides are checked at run time.
 */
const ORDERING_TAKES_NUMBERS = {
  if: { required: ['operator'], properties: { operator: { enum: ['>', '>=', '<', '<='] } } },
  then: {
    properties: {
      left: { type: 'number', 'x-expected': 'a number (>, >=, < and <= compare numbers only; write 100, not "100")' },
      right: { type: 'number', 'x-expected': 'a number (>, >=, < and <= compare numbers only; write 100, not "100")' },
    },
  },
};

export const conditionBlock = defineBlock({
  id: 'logic.condition',
  description:
    'Compares left with right. == and != compare deeply (lists and objects by content); > >= < <= compare numbers only; contains: text contains text, a list contains an item, or an object has a key; matches: text matches the RE2 regular expression right (linear time; no backreferences or lookarounds). Yields result, then yes_value on yes or no_value on no (both default to left).',
  category: 'logic',
  inputs: {
    left: anyValue({ description: 'The value to test.' }),
    operator: withDefault(Type.Enum([...CONDITION_OPERATORS], { description: 'How to compare.' }), '=='),
    right: anyValue({ description: 'What to compare with (a regular expression for matches).' }),
    yes_value: optional(anyValue({ description: 'Yielded on yes when the condition holds (default: left).' })),
    no_value: optional(anyValue({ description: 'Yielded on no when it does not (default: left).' })),
  },
  outputs: {
    result: Type.Boolean({ description: 'Whether the condition holds.' }),
    yes: anyValue({ description: 'yes_value (or left), when it holds.' }),
    no: anyValue({ description: 'no_value (or left), when it does not.' }),
  },
  inputRules: [regexPinWhen('right', { pin: 'operator', value: 'matches' }), ORDERING_TAKES_NUMBERS],
  yields: { sometimes: ['yes', 'no'] },
  cost: 0,
  async *run(inputs) {
    const result = evaluate(inputs.operator, inputs.left, inputs.right);
    yield ['result', result] as const;
    if (result) yield ['yes', inputs.yes_value !== undefined ? inputs.yes_value : inputs.left] as const;
    else yield ['no', inputs.no_value !== undefined ? inputs.no_value : inputs.left] as const;
  },
});

export function evaluate(operator: Operator, left: unknown, right: unknown): boolean {
  switch (operator) {
    case '==':
      return deepEqual(left, right);
    case '!=':
      return !deepEqual(left, right);
    case '>':
    case '>=':
    case '<':
    case '<=': {
      const [a, b] = [number(left, 'left', operator), number(right, 'right', operator)];
      return operator === '>' ? a > b : operator === '>=' ? a >= b : operator === '<' ? a < b : a <= b;
    }
    case 'contains':
      return contains(left, right);
    case 'matches':
      if (typeof left !== 'string') throw invalidPin('logic.condition', 'left', `matches tests text, got ${showValue(left)}`);
      if (typeof right !== 'string') throw invalidPin('logic.condition', 'right', `matches needs a regular expression as text, got ${showValue(right)}`);
      return compileRegex('logic.condition', 'right', right, '').test(left);
  }
}

function number(value: unknown, pin: 'left' | 'right', operator: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw invalidPin(
    'logic.condition',
    pin,
    `${operator} compares numbers only, got ${showValue(value)}; convert it first (for example with json.query's $number), or use == / contains`,
  );
}

function contains(left: unknown, right: unknown): boolean {
  if (typeof left === 'string') {
    if (typeof right !== 'string') throw invalidPin('logic.condition', 'right', `contains on text needs text to look for, got ${showValue(right)}`);
    return left.includes(right);
  }
  if (Array.isArray(left)) return left.some((item) => deepEqual(item, right));
  if (left !== null && typeof left === 'object') {
    if (typeof right !== 'string')
      throw invalidPin('logic.condition', 'right', `contains on an object looks for a key, so right must be text, got ${showValue(right)}`);
    return Object.hasOwn(left, right);
  }
  throw invalidPin('logic.condition', 'left', `contains needs text, a list or an object, got ${showValue(left)}`);
}
