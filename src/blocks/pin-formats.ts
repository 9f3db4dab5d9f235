// String formats pins use beyond JSON Schema's own (`format: cron | timezone | duration`), registered in
// the blocks' validator so that agent validation, the execute API and `run` refuse the same values with
// the same message.
import { createRequire } from 'node:module';
import { emitterEventNames } from '@octokit/webhooks';
import { CronExpressionParser } from 'cron-parser';
import { parseDuration } from '../common/units.js';
import { didYouMean } from './close-matches.js';
import { regexProblem } from './library/text/regex.js';

/** Why a cron expression is unusable, or null when it is fine (5 fields, or 6 with seconds first). */
export function cronProblem(expression: string): string | null {
  const fields = expression.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 5 && fields.length !== 6) {
    return `expected a cron expression of 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got ${fields.length} field${fields.length === 1 ? '' : 's'} in "${expression}"`;
  }
  try {
    CronExpressionParser.parse(fields.join(' '), { tz: 'UTC' });
    return null;
  } catch (error) {
    return `"${expression}" is not a valid cron expression: ${(error as Error).message}`;
  }
}

// luxon as cron-parser requires it (CommonJS): one copy of its 250 kB for both, where importing it loaded its
// ES module build beside it.
const { IANAZone } = createRequire(import.meta.url)('luxon') as typeof import('luxon');

/** Why a time zone name is unusable, or null for a valid IANA name such as Europe/Paris or UTC. */
export function timezoneProblem(zone: string): string | null {
  return IANAZone.isValidZone(zone) ? null : `"${zone}" is not an IANA time zone; use a name such as UTC, Europe/Paris or America/New_York`;
}

export function durationProblem(text: string): string | null {
  return parseDuration(text) === null ? `"${text}" is not a duration; write it like 500ms, 30s, 10m, 2h or 1d` : null;
}

const GITHUB_EVENTS = new Set<string>(emitterEventNames);

/** Why a GitHub webhook event name (`pull_request`, `pull_request.opened`) is unknown, or null. */
export function githubEventProblem(name: string): string | null {
  if (GITHUB_EVENTS.has(name)) return null;
  return `"${name}" is not a GitHub webhook event (write an event such as pull_request, or an event and action such as pull_request.opened).${didYouMean(name, GITHUB_EVENTS)}`;
}

/** Why a text is not an absolute http(s) URL, or null (`format: uri`: http.request's url). */
export function uriProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text.length > 80 ? text.slice(0, 80) + '...' : text}" is not a full URL; write it as https://host/path`;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? null : `"${url.protocol}" URLs are not fetched; use http:// or https://`;
}

/** The formats, as ajv format validators (name -> check). */
export const PIN_FORMATS: Record<string, (value: string) => string | null> = {
  cron: cronProblem,
  timezone: timezoneProblem,
  duration: durationProblem,
  github_event: githubEventProblem,
  regex: regexProblem,
  uri: uriProblem,
};

/**
 * What each of those formats becomes in a schema handed to other validators (the agent JSON Schema):
 * to them `duration` means ISO 8601 and the others are unknown, so a pattern or an enum stands in.
 * The patterns are looser than the checks above; `trellis validate` still gives the exact reason.
 */
export const PIN_FORMAT_STAND_INS: Record<string, Record<string, unknown>> = {
  cron: { pattern: '^\\s*[0-9A-Za-z*/,?#-]+(\\s+[0-9A-Za-z*/,?#-]+){4,5}\\s*$' },
  timezone: { pattern: '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$' },
  duration: { pattern: '^\\d+(\\.\\d+)?(ms|s|m|h|d)$' },
  github_event: { enum: [...emitterEventNames] },
  // RE2 syntax has no standard format (`regex` means ECMA-262 to standard validators): any text here, and
  // Trellis's own validation names what RE2 cannot express.
  regex: {},
  uri: { format: 'uri' },
};
