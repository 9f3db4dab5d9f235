// The `decisions:` and `events:` of a test case (release-2.md section 3): what a person decides on a
// human.review node and what arrives on a wait.event node, so `trellis test` runs agents that wait on the
// outside world without a server. Per node id: one item, or a list (the node's first run takes the first
// item, and so on); `timeout` stands for nobody deciding / no event before the node's timeout.
import type { TestDecision, TestEvent } from './graph.types.js';
import { describeValue, isDict, type FieldReader } from './agent.fields.js';

export const TEST_DECISIONS = ['approve', 'reject', 'edit'] as const;
export const TEST_DECISION_KEYS = ['decision', 'comment', 'data', 'by'] as const;
export const TEST_EVENT_KEYS = ['event', 'headers'] as const;
export const TIMEOUT = 'timeout';

type Path = Array<string | number>;

/** `decisions:`: node id -> `{decision, comment?, data?, by?}` | `timeout`, or a list of them. */
export function readDecisions(raw: Record<string, unknown>, path: Path, fields: FieldReader): Record<string, TestDecision[]> {
  return readPerNode(raw, path, fields, (item, at) => {
    if (item === TIMEOUT) return { decision: TIMEOUT };
    if (!isDict(item)) {
      fields.sink.error(at, `a decision is {decision: approve|reject|edit, comment?, data?, by?} or timeout, got ${describeValue(item)}`);
      return undefined;
    }
    fields.knownKeys(item, at, TEST_DECISION_KEYS, 'a decision');
    const decision = fields.string(item, 'decision', at, 'the decision', true);
    if (decision === undefined) return undefined;
    if (!(TEST_DECISIONS as readonly string[]).includes(decision)) {
      fields.sink.error([...at, 'decision'], `the decision must be approve, reject or edit (or write timeout instead of the mapping), got "${decision}"`);
      return undefined;
    }
    const comment = fields.string(item, 'comment', at, 'the comment');
    const by = fields.string(item, 'by', at, 'the reviewer handle (by)');
    if (decision === 'edit' && !('data' in item)) fields.sink.error(at, 'an edit decision needs data: (the data as the reviewer changed it)');
    if (decision !== 'edit' && 'data' in item) fields.sink.error([...at, 'data'], `only an edit decision carries data; ${decision} keeps the data as it is`);
    return {
      decision: decision as TestDecision['decision'],
      ...(comment !== undefined ? { comment } : {}),
      ...(by !== undefined ? { by } : {}),
      ...('data' in item ? { data: item.data } : {}),
    };
  });
}

/** `events:`: node id -> `{event, headers?}` | `timeout`, or a list of them. */
export function readEvents(raw: Record<string, unknown>, path: Path, fields: FieldReader): Record<string, TestEvent[]> {
  return readPerNode(raw, path, fields, (item, at) => {
    if (item === TIMEOUT) return { timeout: true };
    if (!isDict(item) || !('event' in item)) {
      fields.sink.error(at, `an event is {event: <the JSON body>, headers?: {name: value}} or timeout, got ${describeValue(item)}`);
      return undefined;
    }
    fields.knownKeys(item, at, TEST_EVENT_KEYS, 'an event');
    const headers = fields.dict(item, 'headers', at, 'the event headers (name -> text)');
    const strings: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers ?? {})) {
      if (typeof value === 'string') strings[name.toLowerCase()] = value;
      else fields.sink.error([...at, 'headers', name], `header "${name}" must be text, got ${describeValue(value)}`);
    }
    return { event: item.event, headers: strings };
  });
}

function readPerNode<T>(raw: Record<string, unknown>, path: Path, fields: FieldReader, one: (item: unknown, at: Path) => T | undefined): Record<string, T[]> {
  const out: Record<string, T[]> = {};
  for (const [node, value] of Object.entries(raw)) {
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0) fields.sink.error([...path, node], `node "${node}" is given an empty list; give at least one item, or remove the node`);
    const items: T[] = [];
    list.forEach((item, i) => {
      const read = one(item, Array.isArray(value) ? [...path, node, i] : [...path, node]);
      if (read !== undefined) items.push(read);
    });
    out[node] = items;
  }
  return out;
}

/** The JSON Schema of `decisions:` and `events:` (agents/agent.schema.json). */
export function waitsSchemas(): { decisions: Record<string, unknown>; events: Record<string, unknown> } {
  const perNode = (item: Record<string, unknown>) => ({
    type: 'object',
    additionalProperties: { anyOf: [item, { type: 'array', minItems: 1, items: item }] },
  });
  const decision = {
    anyOf: [
      { const: TIMEOUT },
      {
        type: 'object',
        additionalProperties: false,
        required: ['decision'],
        properties: { decision: { enum: [...TEST_DECISIONS] }, comment: { type: 'string' }, data: {}, by: { type: 'string' } },
      },
    ],
  };
  const event = {
    anyOf: [
      { const: TIMEOUT },
      {
        type: 'object',
        additionalProperties: false,
        required: ['event'],
        properties: { event: {}, headers: { type: 'object', additionalProperties: { type: 'string' } } },
      },
    ],
  };
  return { decisions: perNode(decision), events: perNode(event) };
}
