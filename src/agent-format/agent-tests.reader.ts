// The `tests:` section of an agent file: its shape. Whether the nodes and outputs it names exist is
// checked by the validator (agent-tests.rules.ts).
import type { AgentTestCase } from './graph.types.js';
import { describeValue, isDict, type FieldReader } from './agent.fields.js';
import { readDecisions, readEvents } from './agent-tests.waits.js';

export const TEST_KEYS = ['name', 'trigger', 'inputs', 'mocks', 'decisions', 'events', 'expect'] as const;
export const TEST_TRIGGER_KEYS = ['node', 'outputs'] as const;
export const EXPECT_KEYS = ['status', 'outputs', 'ran', 'not_ran', 'error'] as const;
export const EXPECT_ERROR_KEYS = ['code', 'node_id'] as const;
export const TEST_STATUSES = ['COMPLETED', 'FAILED', 'CANCELLED'] as const;

/** One case per list item, index for index (so problems found later can point at `tests[i]`). */
export function readTests(raw: unknown, fields: FieldReader): AgentTestCase[] {
  const { sink } = fields;
  if (!Array.isArray(raw)) {
    sink.error(['tests'], `tests must be a list of test cases (- name: ..., expect: ...), got ${describeValue(raw)}`);
    return [];
  }
  const names = new Set<string>();
  return raw.map((item, index): AgentTestCase => {
    const path = ['tests', index];
    const fallback: AgentTestCase = { name: `test ${index + 1}`, mocks: {}, expect: {} };
    if (!isDict(item)) {
      sink.error(path, `a test case is a mapping with name, trigger or inputs, mocks and expect, got ${describeValue(item)}`);
      return fallback;
    }
    fields.knownKeys(item, path, TEST_KEYS, 'a test case');
    const name = fields.string(item, 'name', path, 'the test name', true) ?? fallback.name;
    if (names.has(name)) sink.error([...path, 'name'], `another test is also named "${name}"; give each test its own name`);
    names.add(name);
    const test: AgentTestCase = { name, mocks: {}, expect: {} };

    const trigger = fields.dict(item, 'trigger', path, 'the test trigger');
    if (trigger) {
      fields.knownKeys(trigger, [...path, 'trigger'], TEST_TRIGGER_KEYS, 'a test trigger');
      const node = fields.string(trigger, 'node', [...path, 'trigger'], 'the trigger node', true);
      const outputs = fields.dict(trigger, 'outputs', [...path, 'trigger'], 'the trigger outputs (pin -> value)') ?? {};
      if (node !== undefined) test.trigger = { node, outputs };
    }
    const inputs = fields.dict(item, 'inputs', path, 'the test inputs (input name -> value)');
    if (inputs) test.inputs = inputs;
    if (trigger && inputs) {
      sink.error([...path, 'inputs'], 'a test runs either from a trigger (trigger:) or as an API run (inputs:), not both; remove one');
    }

    const mocks = fields.dict(item, 'mocks', path, 'mocks (node id -> the outputs it yields)') ?? {};
    for (const [node, outputs] of Object.entries(mocks)) {
      if (isDict(outputs)) test.mocks[node] = outputs;
      else
        sink.error(
          [...path, 'mocks', node],
          `the mock of node "${node}" must map its output pins to values, like { text: "hi" }, got ${describeValue(outputs)}`,
          { node },
        );
    }

    const decisions = fields.dict(item, 'decisions', path, 'decisions (human.review node id -> its decision)');
    if (decisions) test.decisions = readDecisions(decisions, [...path, 'decisions'], fields);
    const events = fields.dict(item, 'events', path, 'events (wait.event node id -> the event that arrives)');
    if (events) test.events = readEvents(events, [...path, 'events'], fields);

    const expect = fields.dict(item, 'expect', path, 'expect', true);
    if (expect) readExpect(expect, [...path, 'expect'], fields, test);
    return test;
  });
}

function readExpect(expect: Record<string, unknown>, path: Array<string | number>, fields: FieldReader, test: AgentTestCase): void {
  const { sink } = fields;
  fields.knownKeys(expect, path, EXPECT_KEYS, 'expect');
  const status = fields.string(expect, 'status', path, 'expect.status');
  if (status !== undefined) {
    if ((TEST_STATUSES as readonly string[]).includes(status)) test.expect.status = status as AgentTestCase['expect']['status'];
    else sink.error([...path, 'status'], `expect.status must be one of ${TEST_STATUSES.join(', ')}, got "${status}"`);
  }
  const outputs = fields.dict(expect, 'outputs', path, 'expect.outputs (output name -> list of values)');
  if (outputs) {
    test.expect.outputs = {};
    for (const [name, values] of Object.entries(outputs)) {
      if (Array.isArray(values)) test.expect.outputs[name] = values;
      else
        sink.error(
          [...path, 'outputs', name],
          `expected output "${name}" must be the list of values it receives, like [${JSON.stringify(values)}], got ${describeValue(values)}`,
        );
    }
  }
  const ran = fields.stringList(expect, 'ran', path, 'expect.ran (node ids)');
  if (ran) test.expect.ran = ran;
  const notRan = fields.stringList(expect, 'not_ran', path, 'expect.not_ran (node ids)');
  if (notRan) test.expect.not_ran = notRan;
  const error = fields.dict(expect, 'error', path, 'expect.error');
  if (error) {
    fields.knownKeys(error, [...path, 'error'], EXPECT_ERROR_KEYS, 'expect.error');
    const code = fields.string(error, 'code', [...path, 'error'], 'expect.error.code');
    const nodeId = fields.string(error, 'node_id', [...path, 'error'], 'expect.error.node_id');
    test.expect.error = { ...(code !== undefined ? { code } : {}), ...(nodeId !== undefined ? { node_id: nodeId } : {}) };
  }
}
