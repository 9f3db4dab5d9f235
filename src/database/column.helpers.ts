// Small helpers the entities share, so each CHECK is written from the same list the TypeScript type comes from.
import type { ValueTransformer } from 'typeorm';

/** `column IN ('A', 'B')` for a CHECK constraint, from the list of allowed values. */
export function sqlIn(column: string, values: readonly string[]): string {
  return `${column} IN (${values.map((value) => `'${value.replaceAll("'", "''")}'`).join(', ')})`;
}

/**
 * pg returns `bigint` as a string; credits and ids stay far below 2^53, so they are read as numbers.
 * (Writing accepts numbers as they are.)
 */
export const bigintAsNumber: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: unknown) => (value === null || value === undefined ? value : Number(value)),
};
