// One config field's conversion from what a file or the environment says to its typed form (durations to ms,
// sizes to bytes, rates, URLs, lists), with the reason when it can't be converted.
import { parseDuration, parseRate, parseSize } from '../common/units.js';
import type { FieldSpec } from './config.schema.js';

/** Converts one raw value to its field's typed form, or returns the reason it can't. */
export function convertField(spec: FieldSpec, raw: unknown): { value: unknown } | { error: string } {
  switch (spec.kind) {
    case 'int': {
      const n = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isInteger(n)) return { error: `expected a whole number, got ${show(raw)}` };
      if (spec.min !== undefined && n < spec.min) return { error: `must be at least ${spec.min}, got ${n}` };
      return { value: n };
    }
    case 'bool': {
      if (typeof raw === 'boolean') return { value: raw };
      if (raw === 'true' || raw === 'false') return { value: raw === 'true' };
      return { error: `expected true or false, got ${show(raw)}` };
    }
    case 'string': {
      if (typeof raw !== 'string' && typeof raw !== 'number') return { error: `expected text, got ${show(raw)}` };
      const s = String(raw);
      if (spec.enum && !spec.enum.includes(s)) return { error: `expected one of ${spec.enum.join(', ')}, got ${show(raw)}` };
      return { value: s };
    }
    case 'url': {
      if (typeof raw !== 'string') return { error: `expected a URL, got ${show(raw)}` };
      try {
        const url = new URL(raw);
        if (!['http:', 'https:'].includes(url.protocol)) return { error: `expected an http(s) URL, got ${show(raw)}` };
      } catch {
        return { error: `expected a URL like https://example.com, got ${show(raw)}` };
      }
      return { value: raw.replace(/\/+$/, '') };
    }
    case 'duration': {
      const ms = parseDuration(raw);
      if (ms === null) return { error: `expected a duration like 500ms, 30s, 10m, 2h or 14d, got ${show(raw)}` };
      if (spec.min !== undefined && ms < spec.min) return { error: `must be at least ${spec.min}ms, got ${show(raw)}` };
      return { value: ms };
    }
    case 'size': {
      const bytes = parseSize(raw);
      return bytes === null ? { error: `expected a size like 512kb, 1mb or 25mb, got ${show(raw)}` } : { value: bytes };
    }
    case 'rate': {
      const rate = parseRate(raw);
      return rate === null ? { error: `expected a rate like 6000/min or 10/s, or off, got ${show(raw)}` } : { value: rate };
    }
    case 'string_list': {
      const list =
        typeof raw === 'string'
          ? raw
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : raw;
      if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) return { error: `expected a list of text, got ${show(raw)}` };
      return { value: list };
    }
    case 'map': {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { error: `expected a mapping, got ${show(raw)}` };
      return { value: raw };
    }
  }
}

function show(raw: unknown): string {
  return raw === undefined ? 'nothing' : JSON.stringify(raw);
}
