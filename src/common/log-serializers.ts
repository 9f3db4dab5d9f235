// How errors appear in log lines: pino's standard error serializer, minus what may hold user data. SQL
// parameters (TypeORM's QueryFailedError.parameters, and `params` / `values` / `binds` of drivers) are
// every bound value of a write: node data, possibly secrets. Postgres also quotes row values in a
// driver error's `detail` ("Key (v)=(...) already exists", "Failing row contains (...)"). The query
// text, SQLSTATE, constraint, table and message stay: they are what a person needs to act.
import { pino } from 'pino';

const PARAMETER_KEYS = new Set(['parameters', 'params', 'values', 'binds', 'bindings']);
const OMITTED_DETAIL = '[omitted: a database error detail can quote row values]';
const MAX_DEPTH = 6;
/** The prototype of what pino's error serializer makes. */
const SERIALIZED_ERROR = Object.getPrototypeOf(pino.stdSerializers.err(new Error('probe'))) as unknown;

/** The `err` (and `error`) serializer of every logger: never prints SQL or driver parameters. */
export function errorSerializer(error: unknown): unknown {
  return withoutParameters(pino.stdSerializers.err(error as Error), 0);
}

/** A copy without parameter keys, at any depth (driverError, cause, aggregateErrors); the input is not changed. */
function withoutParameters(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) return '[omitted: nested too deep]';
  if (Array.isArray(value)) return value.map((item) => withoutParameters(item, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  // Plain objects, serialized errors and raw errors are walked; other objects (Dates, Buffers) pass.
  if (proto !== Object.prototype && proto !== null && proto !== SERIALIZED_ERROR && !(value instanceof Error)) return value;
  const record = value as Record<string, unknown>;
  const database = isDatabaseError(record);
  const copy: Record<string, unknown> = {};
  for (const key in record) {
    if (PARAMETER_KEYS.has(key)) continue;
    const item = record[key];
    if (key === 'detail' && database && typeof item === 'string') copy.detail = OMITTED_DETAIL;
    else copy[key] = withoutParameters(item, depth + 1);
  }
  return copy;
}

/** A Postgres (or TypeORM-wrapped) error: SQLSTATE code with severity, or a query / driverError. */
function isDatabaseError(record: Record<string, unknown>): boolean {
  if ('driverError' in record || 'query' in record) return true;
  return typeof record.code === 'string' && /^[0-9A-Z]{5}$/.test(record.code) && 'severity' in record;
}
