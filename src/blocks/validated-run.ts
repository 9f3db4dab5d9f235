// A block's run with its contract checked: inputs validated against the block's schema (defaults applied)
// before it starts, each yield checked against its output schema, and whatever the block throws turned into
// a BlockError that keeps its code. No time limit and no abort handling here: the caller owns those (the
// engine's attempt driver for node attempts, runBlock for POST /api/blocks/{id}/execute).
import type { BlockContext, BlockDefinition, BlockYield } from './block.types.js';
import { compileBlock, type AgentLookup } from './block-validator.js';
import { asBlockError } from './blocks.errors.js';

export interface ValidatedRun {
  /** The inputs as `run` sees them (defaults applied). */
  inputs: Record<string, unknown>;
  /** Starts the block with `context`; its yields come out checked. */
  start(context: BlockContext): AsyncGenerator<BlockYield>;
}

/** Validates `rawInputs` at once (throws the validation error) and answers how to start the checked run. */
export function validatedRun(block: BlockDefinition, rawInputs: Record<string, unknown>, lookup?: AgentLookup): ValidatedRun {
  const compiled = compileBlock(block);
  const inputs = compiled.validateInputs(rawInputs);
  return {
    inputs,
    async *start(context) {
      try {
        for await (const [pin, value] of block.run(inputs, context)) {
          compiled.checkYield(pin, value, inputs, lookup);
          yield [pin, value];
        }
      } catch (error) {
        throw asBlockError(block, error);
      }
    },
  };
}

/**
 * The block runner the platform injects into the engine (engine/block-attempt.ts BlockAttemptFn, matched by
 * shape): the checked run of validatedRun. A yield on `error` comes out as it is; the engine fails the node.
 */
export function runValidatedBlock(request: { block: BlockDefinition; inputs: Record<string, unknown>; context: BlockContext }): AsyncIterable<BlockYield> {
  return validatedRun(request.block, request.inputs).start(request.context);
}
