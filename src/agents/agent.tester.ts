// `trellis test`: each agent's `tests:` run in-process (no network, no database) and compared with
// what they expect, with a report that shows expected against actual for every failed check.
import { isDeepStrictEqual } from 'node:util';
import type { AgentDefinition, AgentTestCase } from '../agent-format/graph.types.js';

/** What one run of a test produced. */
export interface TestRunResult {
  status: string;
  outputs: Record<string, unknown[]>;
  /** Nodes that ran (or were mocked), in first-run order. */
  ran: string[];
  error: { code: string; message: string; node_id?: string | null } | null;
}

/** Runs one test case of one agent; `agents` holds every agent, for agent.run. */
export type AgentTestRunner = (agent: AgentDefinition, test: AgentTestCase, agents: ReadonlyMap<string, AgentDefinition>) => Promise<TestRunResult>;

export interface TestFailure {
  check: string;
  expected: unknown;
  actual: unknown;
}

export interface TestCaseResult {
  agent: string;
  file?: string;
  name: string;
  passed: boolean;
  failures: TestFailure[];
  run?: TestRunResult;
  /** The run itself threw (a runner bug or a bad mock): the message. */
  crashed?: string;
}

export function expectedStatus(test: AgentTestCase): string {
  return test.expect.status ?? (test.expect.error ? 'FAILED' : 'COMPLETED');
}

/** Every check of `expect` against a run; an empty list means the test passed. */
export function compareRun(test: AgentTestCase, run: TestRunResult): TestFailure[] {
  const failures: TestFailure[] = [];
  const status = expectedStatus(test);
  if (run.status !== status) {
    failures.push({ check: 'status', expected: status, actual: run.error ? `${run.status} (${run.error.code}${run.error.node_id ? ` at ${run.error.node_id}` : ''}: ${run.error.message})` : run.status });
  }
  for (const [name, values] of Object.entries(test.expect.outputs ?? {})) {
    const actual = run.outputs[name] ?? [];
    if (!isDeepStrictEqual(normalize(actual), normalize(values))) failures.push({ check: `outputs.${name}`, expected: values, actual });
  }
  const missing = (test.expect.ran ?? []).filter((node) => !run.ran.includes(node));
  if (missing.length) failures.push({ check: 'ran', expected: `${missing.join(', ')} to run`, actual: `ran: ${run.ran.join(', ') || 'nothing'}` });
  const unexpected = (test.expect.not_ran ?? []).filter((node) => run.ran.includes(node));
  if (unexpected.length) failures.push({ check: 'not_ran', expected: `${unexpected.join(', ')} not to run`, actual: `ran: ${run.ran.join(', ')}` });
  const error = test.expect.error;
  if (error) {
    if (error.code !== undefined && run.error?.code !== error.code) failures.push({ check: 'error.code', expected: error.code, actual: run.error?.code ?? null });
    if (error.node_id !== undefined && run.error?.node_id !== error.node_id) failures.push({ check: 'error.node_id', expected: error.node_id, actual: run.error?.node_id ?? null });
  }
  return failures;
}

/** YAML and JSON agree on values, but not on -0 and on undefined inside lists: compare as JSON. */
function normalize(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null)) as unknown;
}

export interface TestTarget {
  agent: AgentDefinition;
  file?: string;
}

/** Runs every test of every target, one after the other. */
export async function runAgentTests(targets: readonly TestTarget[], agents: ReadonlyMap<string, AgentDefinition>, runner: AgentTestRunner): Promise<TestCaseResult[]> {
  const results: TestCaseResult[] = [];
  for (const { agent, file } of targets) {
    for (const test of agent.tests ?? []) {
      const base = { agent: agent.name, ...(file !== undefined ? { file } : {}), name: test.name };
      try {
        const run = await runner(agent, test, agents);
        const failures = compareRun(test, run);
        results.push({ ...base, passed: failures.length === 0, failures, run });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        results.push({ ...base, passed: false, failures: [], crashed: message });
      }
    }
  }
  return results;
}

const show = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** A readable report: one line per test, and for each failure what was expected and what happened. */
export function formatTestReport(results: readonly TestCaseResult[]): string {
  const lines: string[] = [];
  let currentAgent: string | undefined;
  for (const result of results) {
    if (result.agent !== currentAgent) {
      currentAgent = result.agent;
      lines.push(`${result.agent}${result.file ? ` (${result.file})` : ''}`);
    }
    lines.push(`  ${result.passed ? 'ok  ' : 'FAIL'} ${result.name}`);
    if (result.crashed !== undefined) lines.push(`       the test could not run: ${result.crashed}`);
    for (const failure of result.failures) {
      lines.push(`       ${failure.check}:`, `         expected: ${show(failure.expected)}`, `         actual:   ${show(failure.actual)}`);
    }
  }
  const failed = results.filter((r) => !r.passed).length;
  lines.push('', `${results.length} test${results.length === 1 ? '' : 's'}, ${results.length - failed} passed, ${failed} failed`);
  return lines.join('\n') + '\n';
}
