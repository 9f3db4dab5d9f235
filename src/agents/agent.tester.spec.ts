import { describe, expect, it } from '@jest/globals';
import type { AgentTestCase } from '../agent-format/graph.types.js';
import { compareRun, expectedStatus, formatTestReport, runAgentTests, type TestRunResult } from './agent.tester.js';

const run = (over: Partial<TestRunResult> = {}): TestRunResult => ({ status: 'COMPLETED', outputs: { greeting: ['hi'] }, ran: ['who', 'greet'], error: null, ...over });
const test = (expect: AgentTestCase['expect']): AgentTestCase => ({ name: 't', mocks: {}, expect });

describe('comparing a run with what a test expects', () => {
  it('passes when every expectation holds (other outputs are not compared)', () => {
    expect(compareRun(test({ status: 'COMPLETED', outputs: { greeting: ['hi'] }, ran: ['greet'], not_ran: ['other'] }), run({ outputs: { greeting: ['hi'], extra: [1] } }))).toEqual([]);
  });

  it('expects COMPLETED unless told otherwise, and FAILED when an error is expected', () => {
    expect(expectedStatus(test({}))).toBe('COMPLETED');
    expect(expectedStatus(test({ error: { code: 'NODE_FAILED' } }))).toBe('FAILED');
    expect(expectedStatus(test({ status: 'CANCELLED' }))).toBe('CANCELLED');
  });

  it('reports each failed check with expected and actual', () => {
    const failed = run({ status: 'FAILED', outputs: {}, ran: ['who'], error: { code: 'NODE_FAILED', message: 'boom', node_id: 'greet' } });
    expect(compareRun(test({ outputs: { greeting: ['hi'] }, ran: ['greet'], not_ran: ['who'] }), failed)).toEqual([
      { check: 'status', expected: 'COMPLETED', actual: 'FAILED (NODE_FAILED at greet: boom)' },
      { check: 'outputs.greeting', expected: ['hi'], actual: [] },
      { check: 'ran', expected: 'greet to run', actual: 'ran: who' },
      { check: 'not_ran', expected: 'who not to run', actual: 'ran: who' },
    ]);
  });

  it('checks the expected error code and node', () => {
    const failed = run({ status: 'FAILED', error: { code: 'NODE_TIMEOUT', message: 'slow', node_id: 'greet' } });
    expect(compareRun(test({ status: 'FAILED', error: { code: 'NODE_FAILED', node_id: 'who' } }), failed)).toEqual([
      { check: 'error.code', expected: 'NODE_FAILED', actual: 'NODE_TIMEOUT' },
      { check: 'error.node_id', expected: 'who', actual: 'greet' },
    ]);
    expect(compareRun(test({ error: { code: 'NODE_FAILED' } }), run())).toEqual([
      { check: 'status', expected: 'FAILED', actual: 'COMPLETED' },
      { check: 'error.code', expected: 'NODE_FAILED', actual: null },
    ]);
  });

  it('compares values as JSON, deeply and in order', () => {
    expect(compareRun(test({ outputs: { greeting: [{ a: 1, b: [1, 2] }] } }), run({ outputs: { greeting: [{ b: [1, 2], a: 1 }] } }))).toEqual([]);
    expect(compareRun(test({ outputs: { greeting: [1, 2] } }), run({ outputs: { greeting: [2, 1] } }))).toHaveLength(1);
  });
});

describe('running tests and reporting them', () => {
  const agent = { name: 'greeter', nodes: {}, links: [], tests: [test({}), { ...test({ outputs: { greeting: ['bye'] } }), name: 'says bye' }, { ...test({}), name: 'crashes' }] };

  it('runs every test and reports passes, failures (expected vs actual) and crashes', async () => {
    const results = await runAgentTests([{ agent, file: 'agents/greeter.yaml' }], new Map(), async (_agent, t) => {
      if (t.name === 'crashes') throw new Error('a mock names no node');
      return run();
    });
    expect(results.map((r) => [r.name, r.passed])).toEqual([
      ['t', true],
      ['says bye', false],
      ['crashes', false],
    ]);
    expect(formatTestReport(results)).toBe(
      [
        'greeter (agents/greeter.yaml)',
        '  ok   t',
        '  FAIL says bye',
        '       outputs.greeting:',
        '         expected: ["bye"]',
        '         actual:   ["hi"]',
        '  FAIL crashes',
        '       the test could not run: a mock names no node',
        '',
        '3 tests, 1 passed, 2 failed',
        '',
      ].join('\n'),
    );
  });
});
