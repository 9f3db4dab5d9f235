// Credits of ai.agent in the analysis and the plan (release-2.md sections 4 and 5): one model call at least,
// max_steps model calls plus max_tool_calls calls of the dearest block tool at most, agent tools left to their
// child executions, retries adding nothing; on the real block library with config/costs.yaml prices.
import { describe, expect, it } from '@jest/globals';
import { BLOCK_LIBRARY } from '../blocks/library/index.js';
import { blockCost, BlocksRegistry } from '../blocks/blocks.registry.js';
import { formatCredits } from '../agents/agents-plan.cost.js';
import { formatAnalysis } from '../agents/analyze.command.js';
import { analyzeAgent, estimateCost, type AgentAnalysis } from './agent.analysis.js';
import { parseAgentYaml } from './agent.parser.js';
import { validateAgents } from './agent.validator.js';
import type { AgentDefinition } from './graph.types.js';

const blocks = new BlocksRegistry(BLOCK_LIBRARY, undefined, { compileSchemas: false });
const COSTS = { blocks: { 'http.request': 3 }, models: { 'gpt-x': 7, 'gpt-big': 20 }, default_model_cost: 2 };
const HELPER = [
  'name: helper',
  'nodes:',
  '  q: { block: input, inputs: { name: q, type: string } }',
  '  out: { block: output, inputs: { name: out } }',
  'links:',
  '  - q.value -> out.value',
];

/** An agent whose `think` node is an ai.agent with these input lines (YAML under `inputs:`), fed by a webhook. */
function agentWith(inputs: string[], extra: { nodes?: string[]; links?: string[]; retry?: string } = {}): AgentDefinition {
  const text = [
    'name: subject',
    'nodes:',
    '  hook: { block: trigger.webhook }',
    '  think:',
    '    block: ai.agent',
    ...(extra.retry ? [`    retry: ${extra.retry}`] : []),
    '    inputs:',
    '      model: gpt-x',
    ...inputs.map((line) => `      ${line}`),
    ...(extra.nodes ?? []).map((n) => `  ${n}`),
    'links:',
    ...(extra.links ?? ['hook.body.text -> think.task']).map((l) => `  - ${l}`),
  ].join('\n');
  const results = validateAgents([parseAgentYaml(text, 'agents/subject.yaml'), parseAgentYaml(HELPER.join('\n'), 'agents/helper.yaml')], { blocks }).results;
  const result = results[0]!;
  const errors = result.problems.filter((p) => p.severity === 'error');
  if (!result.agent || errors.length) throw new Error(`the case does not validate: ${errors.map((p) => p.message).join('; ')}`);
  return result.agent;
}

const context = { blocks, costOf: (block: Parameters<typeof blockCost>[0], inputs: Record<string, unknown>) => blockCost(block, inputs, COSTS) };
const analyze = (agent: AgentDefinition): AgentAnalysis => analyzeAgent(agent, context);

describe('ai.agent credits per run', () => {
  it('without tools: one model call at least, max_steps (default 10) at most, marked as a step bound', () => {
    const agent = agentWith(['tools: []']);
    const analysis = analyze(agent);
    expect(analysis.cost.per_node.think).toEqual({
      block: 'ai.agent',
      credits: 7,
      attempts: 1,
      runs: { min: 1, max: 1 },
      min: 7,
      max: 70,
      calls: { model_calls: { min: 1, max: 10 }, tool_calls: { max: 0 }, tool_credits: 0, agent_tools: [] },
    });
    expect(analysis.cost).toMatchObject({ min: 7, max: 70, step_bounded: ['think'] });
    expect(estimateCost(agent, context)).toEqual({ min: 7, max: 70, step_bounded: true });
  });

  it('a priced block tool: max_steps model calls plus max_tool_calls calls of the dearest tool', () => {
    const analysis = analyze(
      agentWith([
        'max_steps: 4',
        'max_tool_calls: 6',
        'tools:',
        '  - { name: fetch, block: http.request, hosts: [api.example.com] }',
        '  - { name: ask, block: llm.chat, inputs: { model: gpt-big } }',
        '  - { name: join, block: text.join }',
      ]),
    );
    // 4 model calls at 7, 6 tool calls at 20 (the llm.chat tool on gpt-big, dearer than http.request's 3).
    expect(analysis.cost.per_node.think).toMatchObject({
      min: 7,
      max: 4 * 7 + 6 * 20,
      calls: { model_calls: { min: 1, max: 4 }, tool_calls: { max: 6 }, tool_credits: 20 },
    });
    expect(analysis.cost).toMatchObject({ min: 7, max: 148 });
  });

  it('an agent tool: its child execution pays for its nodes, outside this estimate, and a suggestion says so', () => {
    const analysis = analyze(agentWith(['max_steps: 3', 'tools:', '  - { name: helper, agent: helper }']));
    expect(analysis.cost.per_node.think).toMatchObject({ min: 7, max: 21, calls: { tool_calls: { max: 0 }, tool_credits: 0, agent_tools: ['helper'] } });
    expect(analysis.suggestions).toContainEqual({
      kind: 'sub-agent-cost',
      node: 'think',
      message:
        'node "think" (ai.agent) may call the agent "helper" as a tool, whose nodes pay for themselves: its credits are not in this estimate (trellis analyze helper)',
    });
  });

  it('retries add nothing: each call is charged once per node execution and a retry continues the conversation', () => {
    const analysis = analyze(agentWith(['max_steps: 2', 'tools: []'], { retry: '{ attempts: 3, delay: 1s }' }));
    expect(analysis.cost.per_node.think).toMatchObject({ attempts: 3, min: 7, max: 14 });
  });

  it('max_steps through a link is bounded by the pin’s maximum (1000 model calls)', () => {
    const analysis = analyze(
      agentWith(['tools: []'], {
        links: ['hook.body.text -> think.task', 'hook.body.steps -> think.max_steps'],
      }),
    );
    expect(analysis.cost.per_node.think).toMatchObject({ max: 7000, calls: { model_calls: { min: 1, max: 1000 } } });
  });

  it('in a fan-out the most is unbounded, not step-bounded', () => {
    const agent = agentWith(['max_steps: 2', 'tools: []'], {
      nodes: ['items: { block: input, inputs: { name: items, type: array, default: [a, b] } }', 'each: { block: list.iterate }'],
      links: ['items.value -> each.items', 'each.item -> think.task'],
    });
    const analysis = analyze(agent);
    expect(analysis.cost.per_node.think).toMatchObject({ runs: { min: 0, max: null }, max: null });
    expect(analysis.cost.max).toBeNull();
    expect(estimateCost(agent, context)).toEqual({ min: 0, max: null });
  });

  it('trellis analyze and the plan mark the most as a step bound', () => {
    const analysis = analyze(
      agentWith(['max_steps: 4', 'tools:', '  - { name: fetch, block: http.request, hosts: [api.example.com] }', '  - { name: helper, agent: helper }']),
    );
    const text = formatAnalysis(analysis);
    expect(text).toContain('  credits per run: 7 to 88 (at most: think may use every max_steps model call and max_tool_calls tool call)\n');
    expect(text).toContain(
      '    think (ai.agent): 7 credits a model call, 1 to 4 model calls, up to 20 block tool calls at 3 credits at most (agent tools helper not counted): 7 to 88\n',
    );
    expect(formatCredits({ min: 7, max: 88, step_bounded: true })).toBe('7 to at most 88 (max_steps)');
    expect(formatCredits({ min: 7, max: 88, step_bounded: false })).toBe('7 to 88');
    expect(formatCredits({ min: 0, max: null })).toBe('0 to unbounded');
  });
});
