// The loop of ai.agent, provider-neutral: model turn -> tool calls (run together) -> results back -> until an
// answer without tool calls, or AGENT_STEP_LIMIT. Bad calls (unknown tool, arguments that are not a JSON
// object) and failing tools go back to the model as tool errors; the trace (`steps`) records each call with
// its result cut to maxResultBytes. An output schema gets one repair turn. `onStep` sees the conversation
// after every step (the checkpoint hook). Model calls and block tool runs are charged as they happen
// (ai-agent.costs.ts); each trace entry carries its credits.
import type { AgentToolPort, JsonSchema, ToolChildResult } from '../../block.types.js';
import { BlockError } from '../../blocks.errors.js';
import { compileDataSchema, problemsFromErrors } from '../../pin-validation.js';
import { childResults } from './ai-agent.children.js';
import { chargeCall, modelCallCharge, toolCallCharge, type CallCharger } from './ai-agent.costs.js';
import { approvalVerdicts, NO_APPROVAL_HERE, REJECTED_BY_REVIEWER, REVIEW_TIMED_OUT, type ApprovalVerdict } from './ai-agent.approvals.js';
import type { AgentMessage, AgentModel, AgentToolCallText, AgentToolResultText } from './ai-agent.wire.js';
import { toolUrlRefusal, type ToolEntry, type ToolSpec } from './ai-agent.tools.js';
import { addUsage, type LlmUsage } from './llm-provider.js';
import { LlmErrorCode } from './llm.errors.js';
import { parseJsonAnswer } from './llm.structured.js';

export const AGENT_STEP_LIMIT = 'AGENT_STEP_LIMIT';

export interface AgentStep {
  /** The model call (1-based) that asked for this tool call. */
  step: number;
  tool: string;
  arguments: unknown;
  result?: unknown;
  error?: string;
  /** Tokens of the model call that asked for it. */
  usage: LlmUsage;
  /** Credits of this tool call (a block tool's cost; an agent tool's child execution pays for its own nodes). Absent where nothing is charged (`trellis test`). */
  cost?: number;
  /** Credits of the model call that asked for it (shared by the calls it asked for, like `usage`). */
  model_cost?: number;
  /** Set when the result was cut to ai_agent.max_result_bytes. */
  truncated?: true;
  /** Set when the call was in flight when the node was stopped (a lapsed lease) and ran again (at-least-once). */
  rerun?: true;
}

/** What is stored after every step (ai_agent_conversations.state); a re-run of the node continues from it. */
export interface AgentCheckpoint {
  version: 1;
  messages: AgentMessage[];
  steps: AgentStep[];
  usage: LlmUsage;
  modelCalls: number;
  toolCalls: number;
  repaired: boolean;
  /** Credits of the model calls and tool runs so far (absent in conversations stored before costs were per call). */
  cost?: number;
  /** Set while the last turn's calls wait on reviews (require_approval) or child executions (agent tools): they were not in flight, so not re-runs. */
  awaitingApproval?: true;
}

export interface AgentLoopRequest {
  model: AgentModel;
  tools: ToolEntry[];
  specs: ToolSpec[];
  port: AgentToolPort;
  system?: string;
  task: string;
  maxSteps: number;
  maxToolCalls: number;
  outputSchema?: JsonSchema;
  maxResultBytes: number;
  signal: AbortSignal;
  /** The stored conversation to continue (a re-run of the node), if any. */
  resume?: AgentCheckpoint | null;
  /** Stores the conversation: after each model call, and after each batch of tool results. */
  onStep?: (state: AgentCheckpoint) => void | Promise<void>;
  /** Told the trace entries of each batch of tool calls once they are stored (the WebSocket streams them). */
  onSteps?: (steps: AgentStep[]) => void;
  /** Charges a model call or a block tool run (BlockContext.charge); absent: nothing is charged. */
  charge?: CallCharger;
  /** The model's name, which prices each model call. */
  modelName?: unknown;
}

export interface AgentLoopResult {
  answer: unknown;
  steps: AgentStep[];
  usage: LlmUsage;
  modelCalls: number;
  cost: number;
}

export async function runAgentLoop(request: AgentLoopRequest): Promise<AgentLoopResult> {
  const { model, tools, specs, port, signal } = request;
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const validate = request.outputSchema ? compileDataSchema(request.outputSchema) : undefined;
  const system = request.outputSchema
    ? [
        request.system,
        `When you give your final answer, answer with JSON only (no prose, no code fences) that fits this JSON Schema:\n${JSON.stringify(request.outputSchema)}`,
      ]
        .filter(Boolean)
        .join('\n\n')
    : request.system;
  const resume = request.resume?.version === 1 ? request.resume : null;
  const messages: AgentMessage[] = resume ? [...resume.messages] : [{ role: 'user', content: request.task }];
  const steps: AgentStep[] = resume ? [...resume.steps] : [];
  let usage: LlmUsage = resume ? resume.usage : { input_tokens: 0, output_tokens: 0 };
  let modelCalls = resume?.modelCalls ?? 0;
  let toolCalls = resume?.toolCalls ?? 0;
  let repaired = resume?.repaired ?? false;
  let cost = resume?.cost ?? 0;
  let awaiting = resume?.awaitingApproval === true;
  const save = () =>
    request.onStep?.({ version: 1, messages, steps, usage, modelCalls, toolCalls, repaired, cost, ...(awaiting ? { awaitingApproval: true as const } : {}) });
  // A stored model turn whose tool calls have no results yet: they were in flight, and run again.
  const last = messages[messages.length - 1];
  let pending =
    last?.role === 'assistant'
      ? { calls: last.tool_calls, text: last.content, usage: last.usage ?? { input_tokens: 0, output_tokens: 0 }, cost: last.cost ?? 0, rerun: !awaiting }
      : null;
  for (;;) {
    let turn = pending;
    pending = null;
    if (!turn) {
      if (modelCalls >= request.maxSteps) throw stepLimit(`it made ${modelCalls} model calls (max_steps) without a final answer`, steps, usage);
      // A stopped node makes (and pays for) no further call.
      if (signal.aborted) throw signal.reason;
      const price = await chargeCall(request.charge, modelCallCharge(modelCalls + 1, request.modelName), { modelCalls, steps: steps.length, usage });
      const answer = await model.turn(system, messages, specs, signal);
      port.metrics?.modelCall(typeof request.modelName === 'string' ? request.modelName : 'default', answer.usage);
      turn = { ...answer, cost: price, rerun: false };
      modelCalls++;
      cost += price;
      usage = addUsage(usage, answer.usage);
      messages.push({ role: 'assistant', content: answer.text, tool_calls: answer.calls, usage: answer.usage, cost: price });
      if (answer.calls.length > 0) {
        if (toolCalls + answer.calls.length > request.maxToolCalls) {
          throw stepLimit(
            `the model asked for ${toolCalls + answer.calls.length} tool calls, more than max_tool_calls (${request.maxToolCalls})`,
            steps,
            usage,
          );
        }
        toolCalls += answer.calls.length;
      }
      await save();
    }
    if (turn.calls.length === 0) {
      if (!validate) return { answer: turn.text, steps, usage, modelCalls, cost };
      const checked = checkAnswer(turn.text, validate);
      if (checked.ok) return { answer: checked.value, steps, usage, modelCalls, cost };
      if (repaired) {
        throw new BlockError(
          LlmErrorCode.INVALID_ANSWER,
          `The agent's final answer did not fit output_schema, twice: ${checked.problem}. Make the schema simpler or the task clearer.`,
          { steps, usage },
        );
      }
      repaired = true;
      messages.push({
        role: 'user',
        content: `Your answer does not fit the JSON Schema: ${checked.problem}. Answer again with JSON only that fits it exactly.`,
      });
      await save();
      continue;
    }
    const calls = turn.calls;
    const beforeWait = async () => {
      awaiting = true;
      await save();
    };
    const verdicts = await approvalVerdicts(calls, byName, port, modelCalls, beforeWait);
    const children = await childResults(calls, byName, port, modelCalls, verdicts, beforeWait);
    if (awaiting) {
      // Every review is decided: from here the calls run, and a crash mid-run makes them re-runs.
      awaiting = false;
      await save();
    }
    const prepared = calls.map((call) => prepareCall(call, byName, verdicts.get(call.id), children.get(call.id)));
    for (const call of prepared) if ('refused' in call) port.metrics?.toolHostRefused();
    // Every block tool of the batch is charged before any runs: a refusal leaves none of them half-run.
    const prices: number[] = [];
    for (const [i, call] of prepared.entries()) {
      const runs = 'tool' in call && call.tool.block !== undefined;
      if (signal.aborted) throw signal.reason;
      prices.push(
        runs ? await chargeCall(request.charge, toolCharge(modelCalls, calls[i]!, call.tool, call.args), { modelCalls, steps: steps.length, usage }) : 0,
      );
    }
    const outcomes = await Promise.all(prepared.map((call) => ('tool' in call ? runTool(call.tool, call.args, port, signal) : call)));
    calls.forEach((call, i) => port.metrics?.toolCall(byName.get(call.name)?.agent !== undefined ? 'agent' : 'block', outcomes[i]!.ok));
    const results: AgentToolResultText[] = [];
    const added = steps.length;
    calls.forEach((call, i) => {
      const outcome = outcomes[i]!;
      cost += prices[i]!;
      const text = outcome.ok ? JSON.stringify(outcome.result ?? null) : JSON.stringify({ error: outcome.error });
      const cut = truncate(text, request.maxResultBytes);
      results.push({ id: call.id, name: call.name, content: cut.text, is_error: !outcome.ok });
      steps.push({
        step: modelCalls,
        tool: call.name,
        arguments: outcome.arguments,
        ...(outcome.ok ? { result: cut.truncated ? cut.text : outcome.result } : { error: cut.truncated ? cut.text : outcome.error }),
        usage: turn.usage,
        ...(request.charge ? { cost: prices[i]!, model_cost: turn.cost } : {}),
        ...(cut.truncated ? { truncated: true as const } : {}),
        ...(turn.rerun ? { rerun: true as const } : {}),
      });
    });
    messages.push({ role: 'tool', results });
    await save();
    request.onSteps?.(steps.slice(added));
  }
}

type CallOutcome = { ok: true; result: unknown; arguments: unknown } | { ok: false; error: string; arguments: unknown; refused?: true };

/** A call before it runs: its final outcome already (bad arguments, unknown tool, rejected, a finished child), or a block tool to run. */
function prepareCall(
  call: AgentToolCallText,
  byName: Map<string, ToolEntry>,
  verdict: ApprovalVerdict | undefined,
  child: ToolChildResult | undefined,
): CallOutcome | { tool: ToolEntry; args: Record<string, unknown> } {
  const tool = byName.get(call.name);
  let args: unknown;
  try {
    args = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
  } catch (error) {
    return {
      ok: false,
      error: `the arguments are not valid JSON (${(error as Error).message}); call ${call.name} again with a JSON object`,
      arguments: call.arguments,
    };
  }
  if (!tool) return { ok: false, error: `there is no tool named "${call.name}"; the tools are: ${[...byName.keys()].join(', ')}`, arguments: args };
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    return { ok: false, error: `the arguments of ${call.name} must be a JSON object`, arguments: args };
  }
  if (verdict === 'rejected') return { ok: false, error: REJECTED_BY_REVIEWER, arguments: args };
  if (verdict === 'timed_out') return { ok: false, error: REVIEW_TIMED_OUT, arguments: args };
  if (verdict === 'unavailable') return { ok: false, error: NO_APPROVAL_HERE, arguments: args };
  if (child) return child.ok ? { ok: true, result: child.outputs, arguments: args } : { ok: false, error: child.error, arguments: args };
  // A URL outside the tool's hosts is refused here, before the call is charged (runBlockTool checks it again).
  const refused = tool.block !== undefined ? toolUrlRefusal(tool.hosts, { ...(args as Record<string, unknown>), ...(tool.inputs ?? {}) }) : undefined;
  if (refused) return { ok: false, error: refused, arguments: args, refused: true };
  return { tool, args: args as Record<string, unknown> };
}

function toolCharge(step: number, call: AgentToolCallText, tool: ToolEntry, args: Record<string, unknown>) {
  return toolCallCharge(step, call.id, tool.name, tool.block!, { ...args, ...(tool.inputs ?? {}) });
}

async function runTool(tool: ToolEntry, args: Record<string, unknown>, port: AgentToolPort, signal: AbortSignal): Promise<CallOutcome> {
  try {
    const outcome = await port.run({ tool: tool as unknown as Record<string, unknown>, arguments: args, signal });
    return outcome.ok ? { ok: true, result: outcome.result, arguments: args } : { ok: false, error: outcome.error, arguments: args };
  } catch (error) {
    if (signal.aborted) throw signal.reason ?? error;
    return { ok: false, error: (error as Error).message ?? String(error), arguments: args };
  }
}

function checkAnswer(text: string, validate: ReturnType<typeof compileDataSchema>): { ok: true; value: unknown } | { ok: false; problem: string } {
  const parsed = parseJsonAnswer(text);
  if (!parsed.ok) return parsed;
  if (validate(parsed.value)) return { ok: true, value: parsed.value };
  return {
    ok: false,
    problem: problemsFromErrors(validate.errors)
      .map((p) => p.message)
      .join('; '),
  };
}

/** Cuts text to at most `max` UTF-8 bytes (on a character boundary), saying so. */
export function truncate(text: string, max: number): { text: string; truncated: boolean } {
  if (Buffer.byteLength(text) <= max) return { text, truncated: false };
  const marker = ' [truncated]';
  let cut = Buffer.from(text)
    .subarray(0, Math.max(0, max - marker.length))
    .toString('utf8');
  if (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  return { text: cut + marker, truncated: true };
}

function stepLimit(why: string, steps: AgentStep[], usage: LlmUsage): BlockError {
  return new BlockError(AGENT_STEP_LIMIT, `The agent stopped: ${why}. Raise max_steps / max_tool_calls, or make the task smaller.`, {
    steps: steps.length,
    usage,
  });
}
