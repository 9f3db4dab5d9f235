// Which input pins of a block take `${{ }}` expressions in their string constants (release-2.md section 2;
// GET /api/blocks shows it as `expressions: {pin: true|false}`). Every pin does, except where a constant is
// itself code, a template, a query, a pattern or a name that validation must read as written: there the data
// goes through the block's data pins instead.
import type { BlockDefinition, JsonSchema } from './block.types.js';

/** Pins whose constants are code, templates, queries or structure (by block id). */
const WRITTEN_AS_IS: Readonly<Record<string, readonly string[]>> = {
  'code.js': ['code'],
  'text.template': ['template'],
  'json.query': ['expression'],
  'agent.run': ['agent', 'version'],
  'human.review': ['reviewers', 'decisions', 'schema'],
  'ai.agent': ['tools'],
  'llm.classify': ['labels'],
  'logic.switch': ['cases'],
  input: ['name'],
  output: ['name'],
};

/** Pin -> whether its string constants may hold `${{ }}`. */
export function expressionPins(block: BlockDefinition): Record<string, boolean> {
  const pins = (block.inputSchema.properties ?? {}) as Record<string, JsonSchema>;
  const asIs = WRITTEN_AS_IS[block.id] ?? [];
  const out: Record<string, boolean> = {};
  for (const [pin, schema] of Object.entries(pins)) {
    // Trigger inputs configure the trigger itself (read when the agent is synced), and patterns are RE2 text.
    out[pin] = !block.trigger && !block.id.startsWith('trigger.') && !asIs.includes(pin) && !isPattern(pin, schema);
  }
  return out;
}

function isPattern(pin: string, schema: JsonSchema): boolean {
  return pin === 'pattern' || schema.format === 'regex';
}

/** Whether a pin's constant is a URL whose scheme and host must be literal or from vars. */
export function isUriPin(schema: JsonSchema | undefined): boolean {
  return schema?.format === 'uri';
}
