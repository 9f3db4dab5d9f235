// Credits of ai.agent (release-2.md section 4): each model call is charged by model (config/costs.yaml) just
// before it is made, and each block tool run at its block's cost just before it runs, each under its own key
// (node execution, step, call); agent tools' child executions pay for their own nodes. A replay after a crash
// or a retry of the node pays nothing twice for a call already charged. A refusal (the balance does not cover
// the call) stops the loop with INSUFFICIENT_CREDITS before the call is made: nothing goes below zero.
import type { BlockCallCharge } from '../../block.types.js';
import { BlockError } from '../../blocks.errors.js';
import type { LlmUsage } from './llm-provider.js';

/** BlockContext.charge: answers what the call costs (charged now or before). */
export type CallCharger = (call: BlockCallCharge) => Promise<number>;

export const INSUFFICIENT_CREDITS = 'INSUFFICIENT_CREDITS';

export function modelCallCharge(step: number, model: unknown): BlockCallCharge {
  return { key: `step:${step}:model`, block: 'ai.agent', inputs: typeof model === 'string' ? { model } : {}, reason: `ai.agent model call ${step}` };
}

export function toolCallCharge(step: number, callId: string, tool: string, block: string, inputs: Record<string, unknown>): BlockCallCharge {
  return { key: `step:${step}:tool:${callId}`, block, inputs, reason: `ai.agent tool call "${tool}" (${block}) of model call ${step}` };
}

/** Charges `call` (0 where nothing is charged); a refusal becomes the loop's end, saying how far the agent got. */
export async function chargeCall(
  charge: CallCharger | undefined,
  call: BlockCallCharge,
  progress: { modelCalls: number; steps: number; usage: LlmUsage },
): Promise<number> {
  if (!charge) return 0;
  try {
    return await charge(call);
  } catch (error) {
    const refusal = error as { code?: unknown; message?: unknown; details?: unknown };
    if (refusal.code !== INSUFFICIENT_CREDITS) throw error;
    const details = refusal.details !== null && typeof refusal.details === 'object' ? (refusal.details as Record<string, unknown>) : {};
    throw new BlockError(
      INSUFFICIENT_CREDITS,
      `The agent stopped after ${count(progress.modelCalls, 'model call')} and ${count(progress.steps, 'tool call')}, before ${call.reason}: ${String(refusal.message)}`,
      { ...details, model_calls: progress.modelCalls, steps: progress.steps, usage: progress.usage },
    );
  }
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
