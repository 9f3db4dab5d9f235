// `json.parse`: JSON text to a value; bad JSON fails with the line, column and position of the error.
import { BlockError, BlockErrorCode } from '../../blocks.errors.js';
import { anyValue, defineBlock, Type } from '../../pins.js';
import { findJsonError } from './json-position.js';
import { blockErrors } from '../../block-errors.catalog.js';

export const jsonParseBlock = defineBlock({
  id: 'json.parse',
  description: 'Parses JSON text into a value. Invalid JSON fails with the line, column and position of the first error.',
  category: 'data',
  inputs: {
    text: Type.String({ description: 'The JSON text.' }),
  },
  outputs: {
    value: anyValue({ description: 'The parsed value.' }),
  },
  cost: 0,
  errors: blockErrors('PARSE_ERROR'),
  async *run(inputs) {
    let value: unknown;
    try {
      value = JSON.parse(inputs.text);
    } catch (error) {
      const place = findJsonError(inputs.text);
      const where = place ? `at line ${place.line}, column ${place.column} (position ${place.position}): ${place.reason}` : (error as Error).message;
      throw new BlockError(BlockErrorCode.PARSE_ERROR, `The text is not valid JSON ${where}.`, place ? { ...place } : {});
    }
    yield ['value', value] as const;
  },
});
