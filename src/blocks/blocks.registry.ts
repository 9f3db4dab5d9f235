// The block registry: every block of src/blocks/library, checked once at start-up (ids unique and well
// formed, pins well named, schemas compilable, cost overrides naming real blocks), with the `error` pin
// added, costs resolved against config/costs.yaml, and the description the API and CLI show.
import { expressionPins } from './block-expressions.js';
import { allBlockErrors } from './block-errors.catalog.js';
import type { CostsConfig } from '../config/config.schema.js';
import { AppError } from '../common/errors.js';
import type { BlockDefinition, BlockErrorSpec, BlockLookup, JsonSchema, PinMode } from './block.types.js';
import { compileBlockSchemas, ERROR_PIN_SCHEMA } from './block-validator.js';
import { closeMatches, didYouMean } from './close-matches.js';
import { PIN_NAME } from './pin-name.js';

export const BLOCK_ID = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
const SUSPEND_KINDS: ReadonlySet<string> = new Set(['delay', 'child_execution', 'review', 'event']);
const CATEGORIES = new Set(['io', 'trigger', 'ai', 'text', 'data', 'logic', 'http', 'time', 'github', 'communication', 'agent', 'code', 'human', 'flow']);
const CREDENTIAL_TYPES = new Set(['api_key', 'oauth2', 'user_password', 'webhook_secret', 'secret_url', 'header', 'smtp']);

/** The registry refused the block library: every problem at once, each naming the block. */
export class BlockRegistryError extends Error {
  constructor(readonly problems: string[]) {
    super(`The block library has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'BlockRegistryError';
  }
}

/** What GET /api/blocks and `trellis blocks --json` show of a block. */
export interface BlockDescription {
  id: string;
  description: string;
  category: string;
  input_schema: JsonSchema;
  output_schema: JsonSchema;
  credentials: Record<string, { provider: string; types: string[]; optional: boolean }>;
  /** Credits per attempt (for LLM blocks: with the default model; see cost_by_model). */
  cost: number;
  /** LLM blocks only: credits per attempt by model, from config/costs.yaml. */
  cost_by_model?: { models: Record<string, number>; default: number };
  pin_modes: Record<string, PinMode>;
  streaming: boolean;
  /** Input pin -> whether its string constants may hold `${{ }}` expressions (block-expressions.ts). */
  expressions: Record<string, boolean>;
  /** Every code the block may fail with (its own, then the common ones), and whether it is transient. */
  errors: BlockErrorSpec[];
}

const NO_COSTS: CostsConfig = { blocks: {}, models: {}, default_model_cost: 1 };

/** Credits one attempt of `block` costs: config/costs.yaml's override, else the block's cost (per model for LLM blocks). */
export function blockCost(block: BlockDefinition, inputs: Record<string, unknown>, costs: CostsConfig = NO_COSTS): number {
  const override = costs.blocks[block.id];
  if (override !== undefined) return override;
  if (typeof block.cost === 'number') return block.cost;
  return block.cost(inputs, { models: costs.models, default_model_cost: costs.default_model_cost, integrations: costs.integrations ?? {} });
}

export class BlocksRegistry implements BlockLookup {
  protected readonly blocks = new Map<string, BlockDefinition>();

  /**
   * `compileSchemas: false` (the CLI's offline commands) leaves each block's schemas to compile when it is
   * first used (compileBlock caches them): ajv compiling the whole library was most of `trellis validate`.
   * The server keeps the default, so a block whose schemas do not compile stops it at start-up.
   */
  constructor(
    library: readonly BlockDefinition[],
    private readonly costs: CostsConfig = NO_COSTS,
    { compileSchemas = true }: { compileSchemas?: boolean } = {},
  ) {
    const problems: string[] = [];
    for (const block of library) {
      const blockProblems = checkBlock(block);
      if (this.blocks.has(block.id)) blockProblems.push(`block id "${block.id}" is used by more than one block; ids must be unique`);
      if (blockProblems.length) {
        problems.push(...blockProblems);
        continue;
      }
      this.blocks.set(block.id, withErrorPin(block));
    }
    for (const id of Object.keys(costs.blocks)) {
      if (!this.blocks.has(id) && !library.some((b) => b.id === id)) {
        problems.push(`config/costs.yaml: blocks.${id}: there is no block "${id}".${didYouMean(id, this.blocks.keys())}`);
      }
    }
    for (const block of compileSchemas ? this.blocks.values() : []) {
      try {
        compileBlockSchemas(block);
      } catch (error) {
        problems.push(`block ${block.id}: its schemas do not compile: ${(error as Error).message}`);
      }
    }
    if (problems.length) throw new BlockRegistryError(problems);
  }

  get(id: string): BlockDefinition | undefined {
    return this.blocks.get(id);
  }

  list(): readonly BlockDefinition[] {
    return [...this.blocks.values()];
  }

  /**
   * The block, or 404 NOT_FOUND naming the id and the closest ids. `usable`: which blocks the caller may
   * use (an integration's `allow`); any other reads exactly as one that does not exist.
   */
  require(id: string, usable: (block: BlockDefinition) => boolean = () => true): BlockDefinition {
    const block = this.blocks.get(id);
    if (block && usable(block)) return block;
    const suggestions = closeMatches(
      id,
      [...this.blocks.values()].filter(usable).map((b) => b.id),
    );
    throw new AppError(
      'NOT_FOUND',
      `No block "${id}" exists.${suggestions.length ? ` Did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?` : ''} List every block with GET /api/blocks or \`trellis blocks\`.`,
      { block: id, suggestions },
    );
  }

  /** Credits one attempt costs: config/costs.yaml's override, else the block's cost (per model for LLM blocks). */
  costOf(block: BlockDefinition, inputs: Record<string, unknown> = {}): number {
    return blockCost(block, inputs, this.costs);
  }

  describe(block: BlockDefinition): BlockDescription {
    const credentials: BlockDescription['credentials'] = {};
    for (const [field, spec] of Object.entries(block.credentials ?? {})) {
      credentials[field] = { provider: spec.provider, types: [...spec.types], optional: spec.optional === true };
    }
    // Per model: the LLM blocks (an integration's operations price by costs.yaml integrations.<name> instead).
    const perModel = typeof block.cost === 'function' && block.category === 'ai' && this.costs.blocks[block.id] === undefined;
    return {
      id: block.id,
      description: block.description,
      category: block.category,
      input_schema: plain(block.inputSchema),
      output_schema: plain(block.outputSchema),
      credentials,
      cost: this.costOf(block),
      ...(perModel ? { cost_by_model: { models: { ...this.costs.models }, default: this.costs.default_model_cost } } : {}),
      pin_modes: { ...(block.pinModes ?? {}) },
      streaming: block.streaming === true,
      expressions: expressionPins(block),
      errors: allBlockErrors(block.errors),
    };
  }
}

/** Copies a schema as plain JSON (TypeBox keeps non-enumerable markers on its objects). */
function plain(schema: JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}

function withErrorPin(block: BlockDefinition): BlockDefinition {
  const properties = { ...((block.outputSchema.properties ?? {}) as Record<string, JsonSchema>), error: ERROR_PIN_SCHEMA };
  // Keeps the block's prototype, should a block be written as a class instance.
  const copy = Object.assign(Object.create(Object.getPrototypeOf(block) as object) as BlockDefinition, block);
  copy.outputSchema = { ...block.outputSchema, type: 'object', properties };
  return copy;
}

function checkBlock(block: BlockDefinition): string[] {
  const problems: string[] = [];
  const name = `block ${typeof block.id === 'string' ? block.id : JSON.stringify(block.id)}`;
  if (typeof block.id !== 'string' || !BLOCK_ID.test(block.id)) {
    problems.push(`${name}: the id must be a dotted slug of lower-case words such as text.template`);
  }
  if (typeof block.description !== 'string' || !block.description.trim()) problems.push(`${name}: needs a description`);
  if (!CATEGORIES.has(block.category)) problems.push(`${name}: unknown category "${block.category}" (known: ${[...CATEGORIES].join(', ')})`);
  if (typeof block.run !== 'function') problems.push(`${name}: needs a run function`);
  const inputs = pinsOf(block.inputSchema, `${name}: input`, problems);
  const outputs = pinsOf(block.outputSchema, `${name}: output`, problems);
  if (outputs.includes('error')) problems.push(`${name}: declares an "error" output; the registry adds it to every block`);
  const required = block.inputSchema.required;
  if (required !== undefined && (!Array.isArray(required) || required.some((pin) => !inputs.includes(String(pin))))) {
    problems.push(`${name}: "required" must list input pins only`);
  }
  for (const [pin, mode] of Object.entries(block.pinModes ?? {})) {
    if (!inputs.includes(pin)) problems.push(`${name}: pin mode for "${pin}", which is not an input pin`);
    if (mode !== 'sticky' && mode !== 'gather') problems.push(`${name}: pin mode of "${pin}" must be sticky or gather`);
  }
  for (const [field, spec] of Object.entries(block.credentials ?? {})) {
    if (!PIN_NAME.test(field)) problems.push(`${name}: credential field "${field}" must match ${PIN_NAME}`);
    if (!spec.provider) problems.push(`${name}: credential field "${field}" needs a provider`);
    if (!spec.types?.length || spec.types.some((t) => !CREDENTIAL_TYPES.has(t))) {
      problems.push(`${name}: credential field "${field}" needs types among ${[...CREDENTIAL_TYPES].join(', ')}`);
    }
  }
  if (typeof block.cost === 'number' && (!Number.isInteger(block.cost) || block.cost < 0)) {
    problems.push(`${name}: cost must be a whole number of credits (0 or more)`);
  } else if (typeof block.cost !== 'number' && typeof block.cost !== 'function') {
    problems.push(`${name}: cost must be a number or a function of the inputs`);
  }
  if (block.suspend !== undefined && !SUSPEND_KINDS.has(block.suspend)) {
    problems.push(`${name}: suspend must be one of ${[...SUSPEND_KINDS].join(', ')}`);
  }
  return problems;
}

function pinsOf(schema: JsonSchema | undefined, label: string, problems: string[]): string[] {
  if (!schema || schema.type !== 'object' || typeof schema.properties !== 'object' || schema.properties === null) {
    problems.push(`${label} schema must be {type: "object", properties: {...}}`);
    return [];
  }
  const pins = Object.keys(schema.properties);
  for (const pin of pins) {
    if (!PIN_NAME.test(pin)) problems.push(`${label} pin "${pin}" must match ${PIN_NAME} (lower case, digits and _)`);
  }
  return pins;
}
