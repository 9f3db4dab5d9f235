// The blocks reference (docs/blocks.md) rendered from the registry: per category, each block with what it
// does, its cost, credentials, every input and output pin (type, default, mode, description) and a node
// that uses it. Generated, never edited: test/docs/blocks-doc.spec.ts fails when the committed copy drifts.
import type { JsonSchema } from './block.types.js';
import type { BlockDescription } from './blocks.registry.js';
import { COMMON_BLOCK_ERRORS, ownErrorList } from './block-errors.catalog.js';

const CATEGORY_ORDER = ['io', 'trigger', 'text', 'data', 'logic', 'code', 'http', 'ai', 'github', 'communication', 'time', 'agent'];

interface RenderedBlock {
  description: BlockDescription;
  trigger: boolean;
  suspends: string | null;
  sideEffects: boolean;
  dynamicOutputs: boolean;
}

export function renderBlocksMarkdown(blocks: readonly RenderedBlock[]): string {
  const categories = [...new Set(blocks.map((block) => block.description.category))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const out: string[] = [
    '# Blocks reference',
    '',
    '<!-- Generated from the block registry by `npm run docs:generate`; do not edit by hand. -->',
    '',
    `Every block a node may use (${blocks.length} built in). \`trellis blocks\` prints the same catalogue as a table and`,
    '`GET /api/blocks` answers it as JSON, with the full input and output JSON Schemas. Costs are credits per',
    'attempt with the default `config/costs.yaml`. Every block also has the `error` output: link it to handle a',
    "node's failure instead of failing the execution (see [runtime.md](runtime.md)).",
    '',
    'Errors: each block lists the codes its node errors may carry (`error.code`), those marked *transient* being',
    'what `retry.on: transient` retries; a failure with an HTTP status (`details.status`) is judged by it (408, 429',
    'and 5xx are transient). Any block may also fail with',
    `${ownErrorList(COMMON_BLOCK_ERRORS, [])}.`,
    '',
    'Pin modes: a **sticky** input keeps its last value for every later run of the node; a **gather** input',
    'collects every value it receives into one run (see `list.collect`). An input marked `${{ }}` accepts',
    'expressions where the agent format allows them.',
    '',
    ...categories.map((category) => `- [${category}](#${category})`),
    '',
  ];
  for (const category of categories) {
    out.push(`## ${category}`, '');
    for (const block of blocks.filter((b) => b.description.category === category)) out.push(...renderBlock(block));
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function renderBlock(block: RenderedBlock): string[] {
  const d = block.description;
  const flags = [
    block.trigger ? 'trigger (its node is seeded by the event; it never runs)' : '',
    d.streaming ? 'streaming (yields as it goes; not retried after its first yield)' : '',
    block.suspends ? `suspends (${block.suspends}: waits durably, holding no worker)` : '',
    block.sideEffects ? 'side effects (a re-run attempt may repeat them)' : '',
  ].filter(Boolean);
  const lines = [`### \`${d.id}\``, '', oneLine(d.description), ''];
  lines.push(`- Cost: ${d.cost_by_model ? `by model (default ${d.cost_by_model.default}; \`config/costs.yaml\` \`models\`)` : d.cost}`);
  if (flags.length) lines.push(`- ${flags.join('; ')}`);
  for (const [field, spec] of Object.entries(d.credentials)) {
    lines.push(
      `- Credential \`${field}\`: provider \`${spec.provider}\`, type ${spec.types.map((t) => `\`${t}\``).join(' or ')}${spec.optional ? ' (optional)' : ''}`,
    );
  }
  lines.push('', ...pinTable('Input', d.input_schema, d.pin_modes));
  lines.push('', ...pinTable('Output', d.output_schema, {}, block.dynamicOutputs));
  const errors = ownErrorList(d.errors);
  if (errors) lines.push('', `Errors: ${errors}.`);
  lines.push('', '```yaml', ...exampleNode(d), '```', '');
  return lines;
}

function pinTable(kind: 'Input' | 'Output', schema: JsonSchema, modes: Record<string, string>, dynamic = false): string[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const names = Object.keys(properties);
  if (names.length === 0 && !dynamic) return [`${kind}s: none.`];
  const rows = names.map((pin) => {
    const pinSchema = properties[pin]!;
    const notes = [
      kind === 'Input' ? (required.has(pin) ? 'required' : 'optional') : '',
      modes[pin] ?? '',
      pinSchema.default !== undefined ? `default \`${cell(JSON.stringify(pinSchema.default))}\`` : '',
      pinSchema.expressions === true ? '`${{ }}`' : '',
    ].filter(Boolean);
    return `| \`${pin}\` | ${cell(typeOf(pinSchema))} | ${notes.join(', ')} | ${cell(oneLine(String(pinSchema.description ?? '')))} |`;
  });
  if (dynamic) rows.push("| (one per constant) | any | | Extra outputs named by the node's constant inputs. |");
  return [`| ${kind} | Type | | Description |`, '|---|---|---|---|', ...rows];
}

/** A short type: string, integer, "a" \| "b", list of string, object, any. */
function typeOf(schema: JsonSchema): string {
  if (Array.isArray(schema.enum)) return (schema.enum as unknown[]).map((v) => JSON.stringify(v)).join(' | ');
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(union)) return [...new Set(union.map(typeOf))].join(' | ');
  const type = schema.type;
  if (Array.isArray(type)) return type.join(' | ');
  if (type === 'array') return schema.items && typeof schema.items === 'object' ? `list of ${typeOf(schema.items as JsonSchema)}` : 'list';
  if (typeof type === 'string') return schema.format ? `${type} (${String(schema.format)})` : type;
  return 'any';
}

/** A node using the block: each required input with its default, or a placeholder of its type. */
function exampleNode(d: BlockDescription): string[] {
  const properties = (d.input_schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = ((d.input_schema.required as string[] | undefined) ?? []).filter((pin) => pin in properties);
  const name = d.id
    .split('.')
    .pop()!
    .replace(/[^a-z0-9_]/g, '_');
  const lines = [`${name}:`, `  block: ${d.id}`];
  if (required.length) {
    lines.push('  inputs:');
    for (const pin of required) lines.push(`    ${pin}: ${placeholder(properties[pin]!)}`);
  }
  const credentials = Object.entries(d.credentials).filter(([, spec]) => !spec.optional);
  if (credentials.length) {
    lines.push('  credentials:');
    for (const [field, spec] of credentials) lines.push(`    ${field}: my-${spec.provider}   # a credential name`);
  }
  return lines;
}

function placeholder(schema: JsonSchema): string {
  if (schema.default !== undefined) return JSON.stringify(schema.default);
  if (Array.isArray(schema.enum)) return JSON.stringify((schema.enum as unknown[])[0]);
  return `<${typeOf(schema)}>   # or link a value to it`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function rank(category: string): number {
  const index = CATEGORY_ORDER.indexOf(category);
  return index === -1 ? CATEGORY_ORDER.length : index;
}
