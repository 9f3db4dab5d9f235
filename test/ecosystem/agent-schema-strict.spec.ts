// The committed agent JSON Schema is standard: ajv in strict mode with ajv-formats (what editors and CI
// validators run) compiles it without a warning, accepts every example agent and refuses bad ones.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { findAgentFiles } from '../../src/agent-format/agent.files.js';
import { PIN_FORMAT_STAND_INS, PIN_FORMATS } from '../../src/blocks/pin-formats.js';

const AGENTS = join(process.cwd(), 'agents');
const schema = JSON.parse(readFileSync(join(AGENTS, 'agent.schema.json'), 'utf8')) as Record<string, unknown>;
const warnings: unknown[] = [];
const ajv = new Ajv({
  strict: true,
  allErrors: true,
  logger: { log: () => undefined, warn: (...args: unknown[]) => warnings.push(args), error: (...args: unknown[]) => warnings.push(args) },
});
addFormats.default(ajv);
const validate = ajv.compile(schema);

const errorsOf = (doc: unknown): string[] => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
const example = (name: string) =>
  parse(readFileSync(join(AGENTS, `${name}.yaml`), 'utf8')) as {
    nodes: Record<string, { inputs: Record<string, unknown> }>;
  };

describe('the agent JSON Schema under ajv strict mode with ajv-formats', () => {
  it('compiles as draft-07 with no warning, no x- keyword and only standard formats', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(warnings).toEqual([]);
    const text = JSON.stringify(schema);
    expect(text).not.toMatch(/"x-[a-z-]+":/);
    const formats = [...text.matchAll(/"format":"([^"]+)"/g)].map((m) => m[1]);
    // Standard formats only: date-time, and uri for URL pins (an expression there matches the `${{` branch instead).
    expect(new Set(formats)).toEqual(new Set(['date-time', 'uri']));
  });

  it('accepts every example agent in agents/, daily-digest (durations, cron, time zone) included', () => {
    const files = findAgentFiles(AGENTS);
    expect(files.map((f) => f.slice(AGENTS.length + 1))).toEqual(expect.arrayContaining(['daily-digest.yaml', 'pr-size-labeler.yaml', 'hello-world.yaml']));
    for (const file of files) expect({ file, errors: errorsOf(parse(readFileSync(file, 'utf8'))) }).toEqual({ file, errors: [] });
  });

  it('refuses a bad duration, cron expression, time zone and GitHub event, and an unknown pin', () => {
    const digest = example('daily-digest');
    digest.nodes.fetch!.inputs.timeout = '20 seconds';
    expect(errorsOf(digest)).toContain('/nodes/fetch/inputs/timeout must match pattern "^\\d+(\\.\\d+)?(ms|s|m|h|d)$"');

    const cron = example('daily-digest');
    cron.nodes.every_morning!.inputs.schedule = '0 9 * *';
    expect(errorsOf(cron).some((e) => e.startsWith('/nodes/every_morning/inputs/schedule must match pattern'))).toBe(true);

    const zone = example('daily-digest');
    zone.nodes.every_morning!.inputs.timezone = 'Paris time';
    expect(errorsOf(zone).some((e) => e.startsWith('/nodes/every_morning/inputs/timezone must match pattern'))).toBe(true);

    const labeler = example('pr-size-labeler');
    labeler.nodes.pr!.inputs.events = ['pull_requests.opened'];
    expect(errorsOf(labeler)).toContain('/nodes/pr/inputs/events/0 must be equal to one of the allowed values');

    const unknownPin = example('daily-digest');
    unknownPin.nodes.fetch!.inputs.timout = '20s';
    expect(errorsOf(unknownPin)).toContain('/nodes/fetch/inputs must NOT have additional properties');
  });
});

describe('the stand-ins for our own formats', () => {
  const accepted: Record<string, string[]> = {
    cron: ['0 9 * * 1-5', '*/30 * * * * *', '0 0 1,15 JAN-MAR MON#2'],
    timezone: ['UTC', 'Europe/Paris', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5', 'America/Port-au-Prince'],
    duration: ['500ms', '30s', '1.5h', '14d'],
    github_event: ['pull_request', 'pull_request.opened', 'push'],
    regex: ['^(a+)+$', '\\d{3}-\\d{4}', '(?P<year>\\d{4})'],
  };

  it('exist for every format and accept what our own checks accept', () => {
    expect(Object.keys(PIN_FORMAT_STAND_INS).sort()).toEqual(Object.keys(PIN_FORMATS).sort());
    for (const [format, values] of Object.entries(accepted)) {
      const check = new Ajv({ strict: true }).compile({ type: 'string', ...PIN_FORMAT_STAND_INS[format] });
      for (const value of values) {
        expect({ format, value, ours: PIN_FORMATS[format]!(value), standard: check(value) }).toEqual({ format, value, ours: null, standard: true });
      }
    }
  });
});
