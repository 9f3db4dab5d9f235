// Plain data -> AgentDefinition: the shape of the format (keys, types, durations, the link grammar).
// What the keys mean against the block registry is the validator's part.
import type { AgentDefinition, LinkDefinition, NodeDefinition, NotifySettings, RetryOn, RetryPolicy } from './graph.types.js';
import { describeValue, FieldReader, isDict, type Dict } from './agent.fields.js';
import { ID_PATTERN, NAME_PATTERN, parseSink, parseSource, splitLinkText } from './agent.links.js';
import type { DocPath, ProblemSink } from './agent.problems.js';
import { readTests } from './agent-tests.reader.js';
import { readVars } from './agent.vars.js';

export const AGENT_KEYS = ['name', 'description', 'owner', 'concurrency', 'timeout', 'max_parallel', 'notify', 'vars', 'nodes', 'links', 'tests'] as const;
export const NODE_KEYS = ['block', 'inputs', 'credentials', 'retry', 'timeout', 'concurrency', 'description'] as const;
export const RETRY_KEYS = ['attempts', 'backoff', 'delay', 'max_delay', 'on'] as const;
export const LINK_KEYS = ['from', 'to', 'static'] as const;
export const NOTIFY_KEYS = ['on_success', 'on_failure'] as const;
/** Retry defaults when a node writes only `retry: {attempts: N}`. */
export const RETRY_DEFAULTS = { backoff: 'exponential', delay: 1000 } as const;

/** A link as read, with where its ends are written (for problems). */
export interface ReadLink extends LinkDefinition {
  index: number;
  fromPath: DocPath;
  toPath: DocPath;
}

export interface ReadAgent {
  /** Best effort: parts with problems are left out, so later checks can still run on the rest. */
  agent: AgentDefinition;
  links: ReadLink[];
}

export function readAgent(data: unknown, sink: ProblemSink): ReadAgent | undefined {
  const fields = new FieldReader(sink);
  if (data === undefined || data === null) {
    sink.error([], 'the document is empty: an agent needs at least "name:" and "nodes:"');
    return undefined;
  }
  if (!isDict(data)) {
    sink.error([], `an agent is a mapping with "name:" and "nodes:" at the top, got ${describeValue(data)}`);
    return undefined;
  }
  fields.knownKeys(data, [], AGENT_KEYS, 'the agent');
  const name = fields.string(data, 'name', [], 'the agent name', true);
  if (name !== undefined && !NAME_PATTERN.test(name)) {
    sink.error(
      ['name'],
      `the agent name "${name}" must be 2 to 63 characters of lower-case letters, digits and -, starting with a letter (like "pr-size-labeler")`,
    );
  }
  const agent: AgentDefinition = { name: name ?? '', nodes: {}, links: [] };
  const description = fields.string(data, 'description', [], 'description');
  if (description !== undefined) agent.description = description;
  const owner = fields.string(data, 'owner', [], 'owner (a user handle)');
  if (owner !== undefined) agent.owner = owner;
  const concurrency = fields.positiveInt(data, 'concurrency', [], 'concurrency');
  if (concurrency !== undefined) agent.concurrency = concurrency;
  const maxParallel = fields.positiveInt(data, 'max_parallel', [], 'max_parallel');
  if (maxParallel !== undefined) agent.max_parallel = maxParallel;
  const timeout = fields.duration(data, 'timeout', [], 'timeout');
  if (timeout !== undefined) agent.timeout = timeout;
  const notify = readNotify(data, fields);
  if (notify) agent.notify = notify;
  const vars = readVars(data, fields);
  if (vars) agent.vars = vars;

  const nodes = fields.dict(data, 'nodes', [], 'the map of nodes ("nodes:")', true);
  for (const [id, raw] of Object.entries(nodes ?? {})) {
    const node = readNode(id, raw, fields);
    if (node) agent.nodes[id] = node;
  }
  if (nodes && Object.keys(nodes).length === 0) sink.error(['nodes'], 'an agent needs at least one node under "nodes:"');

  const links = readLinks(data, fields);
  agent.links = links.map(({ from, to, static: isStatic }) => ({ from, to, static: isStatic }));
  if (data.tests !== undefined && data.tests !== null) agent.tests = readTests(data.tests, fields);
  return { agent, links };
}

function readNotify(data: Dict, fields: FieldReader): NotifySettings | undefined {
  const notify = fields.dict(data, 'notify', [], 'notify');
  if (!notify) return undefined;
  fields.knownKeys(notify, ['notify'], NOTIFY_KEYS, 'notify');
  return {
    on_success: fields.stringList(notify, 'on_success', ['notify'], 'notify.on_success (channel names)') ?? [],
    on_failure: fields.stringList(notify, 'on_failure', ['notify'], 'notify.on_failure (channel names)') ?? [],
  };
}

function readNode(id: string, raw: unknown, fields: FieldReader): NodeDefinition | undefined {
  const { sink } = fields;
  const path = ['nodes', id];
  if (!ID_PATTERN.test(id)) {
    sink.error(path, `the node id "${id}" must be lower-case letters, digits and _, starting with a letter (at most 63)`, { at: 'key', node: id });
  }
  if (!isDict(raw)) {
    sink.error(path, `node "${id}" must be a mapping with at least "block:", got ${describeValue(raw)}`, { node: id });
    return undefined;
  }
  fields.knownKeys(raw, path, NODE_KEYS, `node "${id}"`);
  const block = fields.string(raw, 'block', path, `the block of node "${id}"`, true);
  if (block === undefined) return undefined;
  const node: NodeDefinition = { block, inputs: fields.dict(raw, 'inputs', path, `the inputs of node "${id}"`) ?? {}, credentials: {} };
  const credentials = fields.dict(raw, 'credentials', path, `the credentials of node "${id}"`);
  for (const [field, value] of Object.entries(credentials ?? {})) {
    if (typeof value === 'string' && value.trim() !== '') node.credentials[field] = value;
    else sink.error([...path, 'credentials', field], `credential field "${field}" must name a credential (text), got ${describeValue(value)}`, { node: id });
  }
  const description = fields.string(raw, 'description', path, 'description');
  if (description !== undefined) node.description = description;
  const timeout = fields.duration(raw, 'timeout', path, `the timeout of node "${id}"`);
  if (timeout !== undefined) node.timeout = timeout;
  const concurrency = fields.positiveInt(raw, 'concurrency', path, `the concurrency of node "${id}" (runs at once; 1 = one item at a time, in order)`);
  if (concurrency !== undefined) node.concurrency = concurrency;
  const retry = readRetry(raw, path, fields);
  if (retry) node.retry = retry;
  return node;
}

function readRetry(raw: Dict, nodePath: DocPath, fields: FieldReader): RetryPolicy | undefined {
  const retry = fields.dict(raw, 'retry', nodePath, 'retry');
  if (!retry) return undefined;
  const path = [...nodePath, 'retry'];
  fields.knownKeys(retry, path, RETRY_KEYS, 'retry');
  const attempts = fields.positiveInt(retry, 'attempts', path, 'retry.attempts (all tries, the first included)');
  if (retry.attempts === undefined) fields.sink.error(path, 'retry needs "attempts:" (all tries, the first included), like { attempts: 3 }');
  const backoff = retry.backoff ?? RETRY_DEFAULTS.backoff;
  if (backoff !== 'fixed' && backoff !== 'exponential') {
    fields.sink.error([...path, 'backoff'], `retry.backoff must be fixed or exponential, got ${describeValue(backoff)}`);
  }
  const delay = retry.delay === undefined ? RETRY_DEFAULTS.delay : fields.duration(retry, 'delay', path, 'retry.delay');
  const maxDelay = fields.duration(retry, 'max_delay', path, 'retry.max_delay');
  const on = readRetryOn(retry.on, [...path, 'on'], fields.sink);
  if (attempts === undefined || delay === undefined || (backoff !== 'fixed' && backoff !== 'exponential') || on === null) return undefined;
  return { attempts, backoff, delay, ...(maxDelay !== undefined ? { max_delay: maxDelay } : {}), ...(on !== undefined ? { on } : {}) };
}

/** Error codes as blocks write them: upper case, digits and underscores. */
const ERROR_CODE = /^[A-Z][A-Z0-9_]*$/;
const RETRY_ON_HINT = "write `on: transient` or a list of error codes such as `on: [transient, LLM_INVALID_ANSWER]` (GET /api/blocks lists each block's codes)";

/** `retry.on`: undefined when absent, null when wrong (reported). */
function readRetryOn(raw: unknown, path: DocPath, sink: ProblemSink): RetryOn | undefined | null {
  if (raw === undefined) return undefined;
  if (raw === 'transient') return 'transient';
  if (!Array.isArray(raw) || raw.length === 0) {
    sink.error(path, `retry.on must be transient or a non-empty list of error codes, got ${describeValue(raw)}: ${RETRY_ON_HINT}`);
    return null;
  }
  let ok = true;
  raw.forEach((code, index) => {
    if (code === 'transient' || (typeof code === 'string' && ERROR_CODE.test(code))) return;
    sink.error([...path, index], `retry.on entry ${describeValue(code)} is not an error code (UPPER_CASE, like HTTP_STATUS) or transient: ${RETRY_ON_HINT}`);
    ok = false;
  });
  return ok ? (raw as string[]) : null;
}

function readLinks(data: Dict, fields: FieldReader): ReadLink[] {
  const { sink } = fields;
  const raw = data.links;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    sink.error(['links'], `links must be a list of "node.pin -> node.pin" entries, got ${describeValue(raw)}`);
    return [];
  }
  const links: ReadLink[] = [];
  raw.forEach((item, index) => {
    const path = ['links', index];
    let fromText: unknown;
    let toText: unknown;
    let isStatic = false;
    let fromPath: DocPath = path;
    let toPath: DocPath = path;
    if (typeof item === 'string') {
      const split = splitLinkText(item);
      if ('error' in split) return sink.error(path, split.error);
      ({ from: fromText, to: toText } = split.ok);
    } else if (isDict(item)) {
      fields.knownKeys(item, path, LINK_KEYS, 'a link');
      if (item.from === undefined || item.to === undefined) {
        return sink.error(path, 'a link in the object form needs both "from: node.pin" and "to: node.pin"');
      }
      if (item.static !== undefined && typeof item.static !== 'boolean') {
        sink.error([...path, 'static'], `static must be true or false, got ${describeValue(item.static)}`);
      }
      isStatic = item.static === true;
      fromText = item.from;
      toText = item.to;
      fromPath = [...path, 'from'];
      toPath = [...path, 'to'];
    } else {
      return sink.error(path, `a link is "node.pin -> node.pin" or { from, to, static }, got ${describeValue(item)}`);
    }
    if (typeof fromText !== 'string') return sink.error(fromPath, `the link source must be text like node.pin, got ${describeValue(fromText)}`);
    if (typeof toText !== 'string') return sink.error(toPath, `the link target must be text like node.pin, got ${describeValue(toText)}`);
    const from = parseSource(fromText);
    const to = parseSink(toText);
    if ('error' in from) sink.error(fromPath, from.error);
    if ('error' in to) sink.error(toPath, to.error);
    if ('ok' in from && 'ok' in to) links.push({ from: from.ok, to: to.ok, static: isStatic, index, fromPath, toPath });
  });
  return links;
}
