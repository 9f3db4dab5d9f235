// The four workflows of issue 12's "Done when" table, as agent files in agents/examples/: each validates with
// no problem, passes its tests: under `trellis test`, and needs at most the nodes the table allows (the n8n
// original's count in the comment), with no hand-built loop.
import { describe, expect, it } from '@jest/globals';
import { defaultDeps, testCommand, validateCommand } from '../../src/agents/agents.command.js';
import { readAgentFile } from '../../src/agent-format/agent.files.js';
import { validateAgents } from '../../src/agent-format/agent.validator.js';
import { buildRunGraph } from '../../src/agent-format/agent.runs.js';
import { BLOCK_LIBRARY } from '../../src/blocks/library/index.js';
import { BlocksRegistry } from '../../src/blocks/blocks.registry.js';
import { VirtualClock } from '../../src/agents/agent.test-clock.js';
import { runGraphInMemory } from '../../src/executions/memory-run.js';
import { capture } from './fixtures/cli.js';

const blocks = new BlocksRegistry(BLOCK_LIBRARY, undefined, { compileSchemas: false });

const WORKFLOWS = [
  // webhook -> validate fields -> branch -> append a row via REST -> answer 200/400 with the errors (n8n 7)
  { file: 'agents/examples/signup-form.yaml', atMost: 8, uses: ['trigger.webhook', 'logic.condition', 'http.request'], vars: ['rows_api'] },
  // GitHub issue opened -> format -> Slack, repository and channel from vars (n8n 5)
  { file: 'agents/examples/issue-to-slack.yaml', atMost: 4, uses: ['trigger.github', 'http.request'], vars: ['repository', 'channel'] },
  // weekly cron -> fetch rows via REST -> summary -> email, URL and recipients from vars (n8n 4)
  { file: 'agents/examples/weekly-report.yaml', atMost: 5, uses: ['trigger.cron', 'http.request', 'email.send'], vars: ['rows_url', 'recipients'] },
  // 3 items one at a time with a 2 s wait each, then a failure (n8n loop fixture; no hand-built cycle)
  { file: 'agents/examples/one-at-a-time.yaml', atMost: 6, uses: ['list.iterate', 'time.delay'], vars: [] },
];

describe('the workflows of agents/examples', () => {
  it.each(WORKFLOWS)('$file validates without a problem', async ({ file }) => {
    const c = capture(process.cwd(), {});
    expect(await validateCommand(file, 'text', c.io, defaultDeps)).toBe(0);
    expect({ problems: c.out(), summary: c.err() }).toEqual({ problems: '', summary: '1 agent checked: 1 valid, 0 invalid; 0 errors, 0 warnings\n' });
  });

  it.each(WORKFLOWS)('$file passes its tests', async ({ file }) => {
    const c = capture(process.cwd(), {});
    expect(await testCommand(file, c.io, defaultDeps)).toBe(0);
    expect(c.out()).toMatch(/\n(\d+) tests, \1 passed, 0 failed\n$/);
    expect(c.out()).not.toMatch(/^no tests found/);
  });

  it.each(WORKFLOWS)('$file needs at most $atMost nodes, uses the vars it promises, and builds no loop by hand', ({ file, atMost, uses, vars }) => {
    const result = validateAgents([readAgentFile(file)], { blocks }).results[0]!;
    const agent = result.agent!;
    expect(Object.keys(agent.nodes).length).toBeLessThanOrEqual(atMost);
    expect(Object.values(agent.nodes).map((n) => n.block)).toEqual(expect.arrayContaining(uses));
    for (const name of vars) {
      expect(Object.keys(agent.vars ?? {})).toContain(name);
      expect(JSON.stringify(agent.nodes)).toContain(`vars.${name}`);
    }
    expect(buildRunGraph(agent, blocks).edges.filter((edge) => edge.closesLoop)).toEqual([]);
  });

  it('processes the items one at a time: the waiting node takes one run at a time, fed by list.iterate', () => {
    const agent = validateAgents([readAgentFile('agents/examples/one-at-a-time.yaml')], { blocks }).results[0]!.agent!;
    expect(agent.nodes.wait).toMatchObject({ block: 'time.delay', concurrency: 1, inputs: { duration: '2s' } });
    expect(agent.nodes.items!.inputs.default).toHaveLength(3);
    expect(agent.links.map((l) => `${l.from.node}.${l.from.pin} -> ${l.to.node}.${l.to.pin}`)).toContain('each.item -> wait.value');
  });

  it('waits 2 s per item one after the other: 6 s of virtual time in all, where without concurrency: 1 it is 2 s', async () => {
    const agent = validateAgents([readAgentFile('agents/examples/one-at-a-time.yaml')], { blocks }).results[0]!.agent!;
    const elapsed = async (definition: typeof agent) => {
      const clock = new VirtualClock(0);
      const result = await runGraphInMemory(definition, { blocks, timers: clock, runAttempt: clock.runAttempt, inputs: {} });
      return { status: result.status, failed_at: result.error?.node_id, processed: result.outputs.processed, ms: clock.now() };
    };
    expect(await elapsed(agent)).toEqual({ status: 'FAILED', failed_at: 'fail', processed: ['first', 'second', 'third'], ms: 6000 });
    const { concurrency: _one, ...unlimited } = agent.nodes.wait!;
    expect((await elapsed({ ...agent, nodes: { ...agent.nodes, wait: unlimited } })).ms).toBe(2000);
  });
});
