// Bounds of values that reach SQL from a URL: versions are Postgres `integer` (32-bit), sequence numbers
// `bigint`, and cursor timestamps must be ones Postgres reads the way we wrote them. A value outside them
// is the caller's mistake (400), never a database error (500).
import { Injectable, type PipeTransform } from '@nestjs/common';
import { validationFailed } from './errors.js';

/** The largest Postgres `integer`: versions, attempts. */
export const MAX_INT32 = 2_147_483_647;
/** The largest Postgres `bigint`. */
const MAX_INT64 = 9_223_372_036_854_775_807n;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A timestamp as our cursors write it (`toISOString()`), and a real date. */
export function isCursorTimestamp(value: unknown): value is string {
  return typeof value === 'string' && ISO_UTC.test(value) && Number.isFinite(Date.parse(value));
}

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** A positive whole number written in decimal digits that fits a Postgres `bigint`. */
export function isBigintText(value: unknown): value is string {
  return typeof value === 'string' && /^[1-9][0-9]{0,18}$/.test(value) && BigInt(value) <= MAX_INT64;
}

/** `{created_at, id}` cursors (executions, notifications). */
export function isTimeIdCursor(value: unknown): value is { created_at: string; id: string } {
  const v = value as { created_at?: unknown; id?: unknown } | null;
  return typeof v === 'object' && v !== null && isCursorTimestamp(v.created_at) && isUuid(v.id);
}

/** `:version` path parameters: a whole number from 1 to 2147483647, else 400. */
@Injectable()
export class VersionPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    const version = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(version) || version < 1 || version > MAX_INT32) {
      throw validationFailed([{ pointer: '/version', message: `expected a version number from 1 to ${MAX_INT32}, got "${value.slice(0, 40)}"` }]);
    }
    return version;
  }
}
