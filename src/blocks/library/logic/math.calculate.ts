// `math.calculate`: one arithmetic operation on two numbers; dividing by zero (or a result that is not a
// finite number) is an error rather than Infinity or NaN travelling on.
import { BlockError, BlockErrorCode } from '../../blocks.errors.js';
import { defineBlock, Type } from '../../pins.js';
import { blockErrors } from '../../block-errors.catalog.js';

export const MATH_OPERATIONS = ['add', 'subtract', 'multiply', 'divide', 'modulo', 'power'] as const;

export const calculateBlock = defineBlock({
  id: 'math.calculate',
  description: 'Computes a <operation> b: add, subtract, multiply, divide, modulo (remainder, sign of a) or power. Dividing by zero is an error.',
  category: 'logic',
  inputs: {
    a: Type.Number({ description: 'The first operand.' }),
    operation: Type.Enum([...MATH_OPERATIONS], { description: 'The operation.' }),
    b: Type.Number({ description: 'The second operand.' }),
  },
  outputs: {
    result: Type.Number({ description: 'The result.' }),
  },
  cost: 0,
  errors: blockErrors('DIVISION_BY_ZERO'),
  async *run({ a, operation, b }) {
    if ((operation === 'divide' || operation === 'modulo') && b === 0) {
      throw new BlockError(
        BlockErrorCode.DIVISION_BY_ZERO,
        `math.calculate cannot ${operation} ${a} by zero; check b before dividing (for example with logic.condition).`,
      );
    }
    const result =
      operation === 'add'
        ? a + b
        : operation === 'subtract'
          ? a - b
          : operation === 'multiply'
            ? a * b
            : operation === 'divide'
              ? a / b
              : operation === 'modulo'
                ? a % b
                : a ** b;
    if (!Number.isFinite(result)) {
      throw new BlockError(BlockErrorCode.NODE_FAILED, `math.calculate: ${a} ${operation} ${b} is not a finite number (${result}).`);
    }
    yield ['result', result] as const;
  },
});
