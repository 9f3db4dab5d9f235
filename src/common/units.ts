// Parsers for the human units used in config and agent files: durations, byte sizes and rates.

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** `500ms`, `30s`, `10m`, `2h`, `14d` -> milliseconds; null when the text is not a duration. */
export function parseDuration(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) return null;
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2]!]!);
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)$/i;

/** `512kb`, `1mb`, `25mb` -> bytes (binary units); null when the text is not a size. */
export function parseSize(text: unknown): number | null {
  if (typeof text === 'number' && Number.isInteger(text) && text >= 0) return text;
  if (typeof text !== 'string') return null;
  const match = SIZE_PATTERN.exec(text.trim());
  if (!match) return null;
  return Math.round(Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]!);
}

export interface Rate {
  limit: number;
  windowMs: number;
}

const RATE_WINDOWS: Record<string, number> = { s: 1000, sec: 1000, second: 1000, m: 60_000, min: 60_000, minute: 60_000, h: 3_600_000, hour: 3_600_000 };
const RATE_PATTERN = /^(\d+)\s*\/\s*(s|sec|second|m|min|minute|h|hour)$/;

/** `6000/min`, `10/s`, `off` -> a rate, or `'off'`; null when the text is neither. */
export function parseRate(text: unknown): Rate | 'off' | null {
  if (text === false || text === 'off') return 'off';
  if (typeof text !== 'string') return null;
  const match = RATE_PATTERN.exec(text.trim());
  if (!match) return null;
  return { limit: Number(match[1]), windowMs: RATE_WINDOWS[match[2]!]! };
}
