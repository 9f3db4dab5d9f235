// Per-block validation, compiled once per block: inputs (defaults applied) before `run`, each yield as it
// comes, and the constants of a node (for agent validation, where linked pins are still missing).
import type { Problem } from '../common/errors.js';
import type { BlockDefinition, JsonSchema } from './block.types.js';
import { BlockError, BlockErrorCode, invalidInput } from './blocks.errors.js';
import { compileSchema, problemsFromErrors, showValue } from './pin-validation.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';

/** The `error` output every block has (added by the registry). */
export const ERROR_PIN_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Why the block failed; a link from here handles the failure instead of failing the execution.',
  properties: { code: { type: 'string' }, message: { type: 'string' } },
  required: ['code', 'message'],
};

export interface AgentLookup {
  agentOutputs(agent: string): string[] | undefined;
}

export interface CompiledBlock {
  readonly inputPins: readonly string[];
  readonly outputPins: readonly string[];
  /** A copy of `raw` with defaults applied, or INVALID_INPUT naming every wrong pin. */
  validateInputs(raw: Record<string, unknown>): Record<string, unknown>;
  /** Problems of a node's constant inputs; missing pins are not problems (links may fill them). */
  constantProblems(constants: Record<string, unknown>): Problem[];
  /** Throws INVALID_OUTPUT unless `pin` is an output (declared, dynamic or `error`) and `value` fits it. */
  checkYield(pin: string, value: unknown, inputs: Record<string, unknown>, lookup?: AgentLookup): void;
}

const cache = new WeakMap<BlockDefinition, CompiledBlock>();

/** Compiles every schema of a block now (inputs and each output): start-up refuses a block whose schemas do not compile. */
export function compileBlockSchemas(block: BlockDefinition): CompiledBlock {
  const compiledBlock = compileBlock(block);
  for (const schema of Object.values((block.outputSchema.properties ?? {}) as Record<string, JsonSchema>)) compileSchema(schema);
  return compiledBlock;
}

export function compileBlock(block: BlockDefinition): CompiledBlock {
  let compiledBlock = cache.get(block);
  if (!compiledBlock) {
    compiledBlock = build(block);
    cache.set(block, compiledBlock);
  }
  return compiledBlock;
}

function build(block: BlockDefinition): CompiledBlock {
  const inputProperties = (block.inputSchema.properties ?? {}) as Record<string, JsonSchema>;
  const inputPins = Object.keys(inputProperties);
  const validateInput = compileSchema(block.inputSchema);
  const outputProperties = { ...((block.outputSchema.properties ?? {}) as Record<string, JsonSchema>), error: ERROR_PIN_SCHEMA };
  const outputPins = Object.keys(outputProperties);
  // Compiled on the first yield of each pin: validating agent files checks constant inputs only, and ajv
  // compiling every output schema was a third of `trellis validate` (compileBlockSchemas checks them all).
  const outputSchemas = new Map<string, JsonSchema>(Object.entries(outputProperties));
  const outputValidator = (pin: string): ValidateFunction | undefined => {
    const schema = outputSchemas.get(pin);
    return schema && compileSchema(schema);
  };
  const context = { pins: inputPins, owner: `block ${block.id}` };

  return {
    inputPins,
    outputPins,
    validateInputs(raw) {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
        throw invalidInput(block.id, [{ pointer: '', message: `the inputs must be an object of pin -> value, got ${showValue(raw)}` }]);
      }
      const inputs = { ...raw };
      if (!validateInput(inputs)) throw invalidInput(block.id, problemsFromErrors(validateInput.errors, context));
      return inputs;
    },
    constantProblems(constants) {
      const copy = { ...constants };
      if (validateInput(copy)) return [];
      return problemsFromErrors(
        validateInput.errors?.filter((e) => !(e.keyword === 'required' && e.instancePath === '')),
        context,
      );
    },
    checkYield(pin, value, inputs, lookup) {
      if (value === undefined) {
        throw new BlockError(
          BlockErrorCode.INVALID_OUTPUT,
          `Block ${block.id} yielded nothing (undefined) on pin "${pin}"; a block yields null for "no value".`,
          { block: block.id, pin },
        );
      }
      const validate = outputValidator(pin);
      if (!validate) {
        const dynamic = block.dynamicOutputs?.(inputs, lookup ?? { agentOutputs: () => undefined }) ?? [];
        if (dynamic.includes(pin)) return;
        throw new BlockError(
          BlockErrorCode.INVALID_OUTPUT,
          `Block ${block.id} yielded on "${pin}", which is not one of its outputs (${[...outputPins, ...dynamic].join(', ')}).`,
          { block: block.id, pin },
        );
      }
      if (!validate(value)) {
        const problems = problemsFromErrors(validate.errors);
        throw new BlockError(
          BlockErrorCode.INVALID_OUTPUT,
          `Block ${block.id} yielded a value on "${pin}" that its output schema refuses: ${problems.map((p) => p.message).join('; ')}`,
          { block: block.id, pin, problems },
        );
      }
    },
  };
}
