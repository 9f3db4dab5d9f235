// Small typed readers over plain data: each reports a problem at the right place and answers
// undefined when the value is absent or wrong, so the reader can go on and report everything at once.
import { showValue } from '../blocks/pin-validation.js';
import { parseDuration } from '../common/units.js';
import type { DocPath, ProblemSink } from './agent.problems.js';
import { suggestion } from './agent.suggest.js';

export type Dict = Record<string, unknown>;

export function isDict(value: unknown): value is Dict {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** A value as a person would describe it: the blocks' own wording (`the text "abc"`, `a list of 2 items`). */
export const describeValue = showValue;

export class FieldReader {
  constructor(readonly sink: ProblemSink) {}

  /** Reports keys outside `allowed` at the key itself, suggesting the closest known key. */
  knownKeys(value: Dict, path: DocPath, allowed: readonly string[], where: string): void {
    for (const key of Object.keys(value)) {
      if (allowed.includes(key)) continue;
      this.sink.error([...path, key], `unknown key "${key}" in ${where}.${suggestion(key, allowed, 'allowed keys')}`, { at: 'key' });
    }
  }

  dict(parent: Dict, key: string, path: DocPath, what: string, required = false): Dict | undefined {
    const value = parent[key];
    if (value === undefined || value === null) {
      if (required) this.sink.error(path, `${what} is missing: add "${key}:"`);
      return undefined;
    }
    if (!isDict(value)) {
      this.sink.error([...path, key], `${what} must be a mapping of keys to values, got ${describeValue(value)}`);
      return undefined;
    }
    return value;
  }

  string(parent: Dict, key: string, path: DocPath, what: string, required = false): string | undefined {
    const value = parent[key];
    if (value === undefined || value === null) {
      if (required) this.sink.error(path, `${what} is missing: add "${key}:"`);
      return undefined;
    }
    if (typeof value !== 'string') {
      this.sink.error([...path, key], `${what} must be text, got ${describeValue(value)}`);
      return undefined;
    }
    return value;
  }

  positiveInt(parent: Dict, key: string, path: DocPath, what: string): number | undefined {
    const value = parent[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      this.sink.error([...path, key], `${what} must be a whole number of at least 1, got ${describeValue(value)}`);
      return undefined;
    }
    return value;
  }

  /** `500ms`, `30s`, `10m`, `2h` -> milliseconds. */
  duration(parent: Dict, key: string, path: DocPath, what: string): number | undefined {
    const value = parent[key];
    if (value === undefined || value === null) return undefined;
    const ms = parseDuration(value);
    if (ms === null || ms <= 0) {
      this.sink.error([...path, key], `${what} must be a duration like 500ms, 30s, 10m or 2h, got ${describeValue(value)}`);
      return undefined;
    }
    return ms;
  }

  stringList(parent: Dict, key: string, path: DocPath, what: string): string[] | undefined {
    const value = parent[key];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      this.sink.error([...path, key], `${what} must be a list of text, like [a, b], got ${describeValue(value)}`);
      return undefined;
    }
    const out: string[] = [];
    value.forEach((item, i) => {
      if (typeof item === 'string') out.push(item);
      else this.sink.error([...path, key, i], `${what} must hold text only, got ${describeValue(item)}`);
    });
    return out;
  }
}
