// `ai.agent` (release-2.md section 4): a model that calls tools until the task is done. Each turn goes to
// the provider with the tool list; the tool calls it asks for run together through the context's tool port
// (blocks/agent-tools.runner.ts), their results (or errors) go back, and the loop ends with an answer
// without tool calls, or AGENT_STEP_LIMIT after max_steps model calls or max_tool_calls tool calls. An
// output_schema is checked with one repair turn, like llm.structured. The loop itself is ai-agent.loop.ts.
import { invalidPin } from '../../blocks.errors.js';
import { schemaProblem } from '../../pin-validation.js';
import { anyValue, defineBlock, dict, optional, Type, withDefault } from '../../pins.js';
import type { BlockContext } from '../../block.types.js';
import type { AgentModel } from './ai-agent.wire.js';
import { runAgentLoop, type AgentCheckpoint } from './ai-agent.loop.js';
import { checkTools, toolSpecs, type ToolEntry } from './ai-agent.tools.js';
import { prepareLlm } from './llm-provider.js';
import { llmSdks } from './llm-sdks.js';
import { LLM_BLOCK_BASE, LLM_INPUTS, USAGE_OUTPUT } from './llm.pins.js';
import { blockErrors, OUTBOUND_ERRORS, LLM_ERRORS } from '../../block-errors.catalog.js';

export const AI_AGENT = 'ai.agent';
/** `ai_agent.max_result_bytes` (release-2.md section 8). */
export const DEFAULT_MAX_RESULT_BYTES = 16 * 1024;

export const aiAgentBlock = defineBlock({
  ...LLM_BLOCK_BASE,
  id: AI_AGENT,
  // The cost (by model) is per model call, charged as each is made; block tools pay their own costs.
  chargedPerCall: true,
  description:
    'A language model that calls tools (blocks and agents listed in `tools`) until it can answer `task`. Tool calls the model asks for ' +
    'together run concurrently; results and errors go back to the model. Ends with `answer` (checked against `output_schema` when set, ' +
    'with one repair turn), or fails with AGENT_STEP_LIMIT after `max_steps` model calls or `max_tool_calls` tool calls. `steps` traces ' +
    'every tool call. A tool with `require_approval: true` waits (without a worker slot) for a review by `reviewers`; a rejection reaches ' +
    'the model as {"error": "rejected by reviewer"}. Each model call costs credits by model (config/costs.yaml), charged as it is made; ' +
    'block tools cost their own block cost per run, agent tools what their child execution costs.',
  inputs: {
    provider: LLM_INPUTS.provider,
    base_url: LLM_INPUTS.base_url,
    model: LLM_INPUTS.model,
    system: LLM_INPUTS.system,
    temperature: LLM_INPUTS.temperature,
    max_tokens: LLM_INPUTS.max_tokens,
    task: Type.String({ minLength: 1, description: 'What the agent must do.' }),
    tools: Type.Array(dict(anyValue()), {
      description:
        'The tools the model may call: [{name, block | agent, inputs?, credentials?, hosts?, description?, require_approval?}]. ' +
        '`name` matches ^[a-z][a-z0-9_]{0,63}$ and is unique; a block tool gets only the credentials its entry names.',
    }),
    max_steps: withDefault(Type.Integer({ minimum: 1, maximum: 1000, description: 'The most model calls.' }), 10),
    max_tool_calls: withDefault(Type.Integer({ minimum: 0, maximum: 10000, description: 'The most tool calls, over all steps.' }), 20),
    output_schema: optional(dict(anyValue(), { description: 'A JSON Schema the final answer must fit; `answer` is then the object.' })),
    reviewers: optional(
      anyValue({
        description: 'Who approves tools with require_approval: {users: [handles], roles: [admin|user]} as human.review (default the agent owner).',
      }),
    ),
  },
  outputs: {
    answer: anyValue({ description: 'The final answer: text, or the object when output_schema is set.' }),
    steps: Type.Array(dict(anyValue()), {
      description:
        'Every tool call: [{step, tool, arguments, result | error, usage, cost, model_cost}] (credits: cost of the call, model_cost of its model call).',
    }),
    usage: USAGE_OUTPUT,
  },
  errors: blockErrors('CREDENTIAL_UNRESOLVED', 'AGENT_STEP_LIMIT', ...OUTBOUND_ERRORS, ...LLM_ERRORS),
  async *run(inputs, context) {
    const port = context.agentTools;
    if (!port) throw invalidPin(AI_AGENT, 'tools', 'tools cannot run here (ai.agent runs inside an execution or `trellis test`)');
    // The agents of agent tools, as this execution's user may run them: one they may not is refused before the model sees any tool.
    const agentInputs = await agentInputsOf(inputs.tools, port);
    const problems = checkTools(inputs.tools, { blocks: port.blocks, ...(agentInputs ? { agentInputs } : {}) });
    if (problems.length) {
      throw invalidPin(AI_AGENT, 'tools', problems.map((p) => `tools[${p.path.join('.')}]: ${p.message}`).join('; '));
    }
    if (inputs.output_schema) {
      const problem = schemaProblem(inputs.output_schema);
      if (problem) throw invalidPin(AI_AGENT, 'output_schema', `is not a usable JSON Schema: ${problem}`);
    }
    const tools = inputs.tools as unknown as ToolEntry[];
    const specs = toolSpecs(tools, port.blocks, agentInputs);
    const result = await runAgentLoop({
      model: port.model ? { turn: (_system, messages) => port.model!.turn(messages) } : providerModel(inputs, context),
      tools,
      specs,
      port,
      ...(inputs.system ? { system: inputs.system } : {}),
      task: inputs.task,
      maxSteps: inputs.max_steps,
      maxToolCalls: inputs.max_tool_calls,
      ...(inputs.output_schema ? { outputSchema: inputs.output_schema } : {}),
      maxResultBytes: context.settings.aiAgentMaxResultBytes ?? DEFAULT_MAX_RESULT_BYTES,
      signal: context.signal,
      ...(context.charge ? { charge: (call: Parameters<NonNullable<typeof context.charge>>[0]) => context.charge!(call) } : {}),
      modelName: inputs.model,
      ...(port.checkpoint?.stepped ? { onSteps: (steps: unknown[]) => port.checkpoint!.stepped!(steps) } : {}),
      // The stored conversation of this node execution: a re-run (lapsed lease, retry) continues it.
      ...(port.checkpoint ? { resume: (await port.checkpoint.load()) as AgentCheckpoint | null, onStep: (state) => port.checkpoint!.save(state) } : {}),
    });
    yield ['steps', result.steps as unknown as Record<string, unknown>[]] as const;
    yield ['usage', result.usage] as const;
    yield ['answer', result.answer] as const;
  },
});

/** A lookup of the agent tools' inputs (undefined: not looked up here, as in `trellis test` without a child port). */
async function agentInputsOf(tools: unknown, port: NonNullable<BlockContext['agentTools']>): Promise<((name: string) => string[] | undefined) | undefined> {
  if (port.children) {
    const names = Array.isArray(tools) ? tools.map((t) => (t as { agent?: unknown })?.agent).filter((a): a is string => typeof a === 'string') : [];
    const found = new Map<string, string[] | undefined>();
    for (const name of new Set(names)) found.set(name, await port.children.agentInputs(name));
    return (name) => found.get(name);
  }
  return port.agentInputs ? (name) => port.agentInputs!(name) : undefined;
}

/** The node's provider through its SDK, every failure a clear block error. */
function providerModel(inputs: Parameters<typeof prepareLlm>[1], context: BlockContext): AgentModel {
  const { settings, target, guard } = prepareLlm(AI_AGENT, inputs, context);
  let model: AgentModel | undefined;
  return {
    async turn(system, messages, toolList, signal) {
      const sdks = await llmSdks();
      try {
        await guard();
        model ??= inputs.provider === 'anthropic' ? sdks.anthropicAgentModel(settings, target) : sdks.openAiAgentModel(settings, target);
        return await model.turn(system, messages, toolList, signal);
      } catch (error) {
        throw sdks.translateLlmError(error, target, context.signal);
      }
    },
  };
}
