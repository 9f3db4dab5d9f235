// The `tools` list of an ai.agent node (release-2.md section 4): what an entry may say, the problems of a
// list (checked when an agent is validated, with a path per problem, and again when the block runs), and the
// JSON Schema the model sees for each tool: a block's input pins less the constants its entry sets, or an
// agent's `input` nodes. Pure: no I/O.
import type { BlockLookup, JsonSchema } from '../../block.types.js';
import { urlMatchesHosts } from '../../../common/credential-hosts.js';

export const TOOL_NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** Blocks a model may never call as a tool (`agent.run` is reached with `agent:` instead). */
export const FORBIDDEN_TOOL_BLOCKS = new Set(['input', 'output', 'agent.run', 'ai.agent', 'human.review', 'wait.event']);

/** Blocks that reach any URL: a tool of one needs `hosts` or a constant `url`. */
const URL_BLOCKS = new Set(['http.request']);

export interface ToolEntry {
  name: string;
  block?: string;
  agent?: string;
  inputs?: Record<string, unknown>;
  credentials?: Record<string, string>;
  hosts?: string[];
  description?: string;
  require_approval?: boolean;
}

/**
 * Why a call of a tool with `hosts` may not run: its `url` input (the model's argument, or the entry's
 * constant) is no URL or lies outside them; undefined when it may. Checked before the call is charged.
 */
export function toolUrlRefusal(hosts: unknown, inputs: Record<string, unknown>): string | undefined {
  if (!Array.isArray(hosts) || typeof inputs.url !== 'string') return undefined;
  let url: URL;
  try {
    url = new URL(inputs.url);
  } catch {
    return `url "${inputs.url}" is not a URL`;
  }
  return urlMatchesHosts(url, hosts as string[]) ? undefined : `url "${inputs.url}" is outside this tool's hosts (${hosts.join(', ')})`;
}

/** One problem of a tools list: `path` is below the `tools` pin (e.g. [2, 'name']). */
export interface ToolProblem {
  path: (string | number)[];
  message: string;
}

export interface ToolCheckLookups {
  blocks: BlockLookup;
  /** The inputs of an agent the caller may run, or undefined for one that does not exist or may not be run. */
  agentInputs?: (name: string) => string[] | undefined;
}

const KNOWN_KEYS = new Set(['name', 'block', 'agent', 'inputs', 'credentials', 'hosts', 'description', 'require_approval']);

/** Every problem of a tools list; an empty list means it can run. */
export function checkTools(tools: unknown, lookups: ToolCheckLookups): ToolProblem[] {
  if (!Array.isArray(tools)) return [{ path: [], message: 'tools must be a list of {name, block | agent, ...}' }];
  const problems: ToolProblem[] = [];
  const seen = new Map<string, number>();
  tools.forEach((raw, index) => {
    const at = (...rest: (string | number)[]) => [index, ...rest];
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push({ path: at(), message: 'a tool is a map {name, block | agent, inputs?, credentials?, hosts?, description?, require_approval?}' });
      return;
    }
    const entry = raw as Record<string, unknown>;
    for (const key of Object.keys(entry)) {
      if (!KNOWN_KEYS.has(key)) problems.push({ path: at(key), message: `a tool has no field "${key}" (fields: ${[...KNOWN_KEYS].join(', ')})` });
    }
    const name = entry.name;
    if (typeof name !== 'string' || !TOOL_NAME.test(name)) {
      problems.push({ path: at('name'), message: `tool name ${JSON.stringify(name)} must match ^[a-z][a-z0-9_]{0,63}$ (it is the name the model sees)` });
    } else if (seen.has(name)) {
      problems.push({ path: at('name'), message: `tool name "${name}" is used twice (also tool ${seen.get(name)! + 1}); names must be unique` });
    } else {
      seen.set(name, index);
    }
    const hasBlock = typeof entry.block === 'string';
    const hasAgent = typeof entry.agent === 'string';
    if (hasBlock === hasAgent) problems.push({ path: at(), message: 'a tool names exactly one of block: <block id> or agent: <agent name>' });
    if (entry.inputs !== undefined && !isDict(entry.inputs)) problems.push({ path: at('inputs'), message: 'inputs is a map of constants, pin -> value' });
    if (entry.credentials !== undefined && !(isDict(entry.credentials) && Object.values(entry.credentials).every((v) => typeof v === 'string'))) {
      problems.push({ path: at('credentials'), message: 'credentials is a map, credential field -> credential name' });
    }
    if (entry.hosts !== undefined && !(Array.isArray(entry.hosts) && entry.hosts.every((h) => typeof h === 'string' && h.length > 0))) {
      problems.push({ path: at('hosts'), message: 'hosts is a list of host names, e.g. [api.github.com, "*.example.com"]' });
    }
    if (entry.description !== undefined && typeof entry.description !== 'string') problems.push({ path: at('description'), message: 'description is text' });
    if (entry.require_approval !== undefined && typeof entry.require_approval !== 'boolean') {
      problems.push({ path: at('require_approval'), message: 'require_approval is true or false' });
    }
    if (hasBlock && !hasAgent) problems.push(...checkBlockTool(entry, lookups.blocks).map((p) => ({ path: at(...p.path), message: p.message })));
    if (hasAgent && !hasBlock) {
      if (lookups.agentInputs && lookups.agentInputs(entry.agent as string) === undefined) {
        problems.push({
          path: at('agent'),
          message: `tool "${String(name)}" calls agent "${String(entry.agent)}", but there is no agent named "${String(entry.agent)}"`,
        });
      }
    }
  });
  return problems;
}

function checkBlockTool(entry: Record<string, unknown>, blocks: BlockLookup): ToolProblem[] {
  const id = entry.block as string;
  const block = blocks.get(id);
  if (!block) return [{ path: ['block'], message: `there is no block "${id}" (list them with \`trellis blocks\`)` }];
  if (block.trigger || id.startsWith('trigger.') || FORBIDDEN_TOOL_BLOCKS.has(id)) {
    const instead = id === 'agent.run' ? ' (call an agent with agent: <name> instead)' : '';
    return [{ path: ['block'], message: `block "${id}" cannot be a tool${instead}` }];
  }
  if (block.suspend) return [{ path: ['block'], message: `block "${id}" waits durably and cannot be a tool` }];
  const problems: ToolProblem[] = [];
  const pins = Object.keys((block.inputSchema.properties as Record<string, unknown> | undefined) ?? {});
  const constants = isDict(entry.inputs) ? entry.inputs : {};
  for (const pin of Object.keys(constants)) {
    if (!pins.includes(pin)) problems.push({ path: ['inputs', pin], message: `block "${id}" has no input "${pin}" (inputs: ${pins.join(', ')})` });
  }
  const fields = Object.keys(block.credentials ?? {});
  const credentials = isDict(entry.credentials) ? entry.credentials : {};
  for (const field of Object.keys(credentials)) {
    if (!fields.includes(field)) {
      problems.push({
        path: ['credentials', field],
        message: `block "${id}" has no credential field "${field}"${fields.length ? ` (fields: ${fields.join(', ')})` : ''}`,
      });
    }
  }
  if (URL_BLOCKS.has(id) && entry.hosts === undefined && typeof constants.url !== 'string') {
    problems.push({ path: [], message: `a ${id} tool needs hosts: [...] (where the model may send requests) or a constant url under inputs` });
  }
  return problems;
}

/** The JSON Schema the model sees for a block tool: its input pins less the entry's constants. */
export function blockToolSchema(entry: ToolEntry, blocks: BlockLookup): JsonSchema {
  const block = blocks.get(entry.block!)!;
  const constants = entry.inputs ?? {};
  const all = (block.inputSchema.properties as Record<string, JsonSchema> | undefined) ?? {};
  const properties = Object.fromEntries(Object.entries(all).filter(([pin]) => !(pin in constants)));
  const required = ((block.inputSchema.required as string[] | undefined) ?? []).filter((pin) => pin in properties);
  return { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false };
}

/** The JSON Schema the model sees for an agent tool: one property per `input` node of the agent. */
export function agentToolSchema(inputs: string[]): JsonSchema {
  return { type: 'object', properties: Object.fromEntries(inputs.map((name) => [name, {}])), additionalProperties: false };
}

/** What the model sees of a tool. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: JsonSchema;
}

export function toolSpecs(tools: ToolEntry[], blocks: BlockLookup, agentInputs?: (name: string) => string[] | undefined): ToolSpec[] {
  return tools.map((entry) => {
    if (entry.block) {
      const block = blocks.get(entry.block)!;
      return { name: entry.name, description: entry.description ?? block.description, parameters: blockToolSchema(entry, blocks) };
    }
    return {
      name: entry.name,
      description: entry.description ?? `Runs the agent "${entry.agent}".`,
      parameters: agentToolSchema(agentInputs?.(entry.agent!) ?? []),
    };
  });
}

function isDict(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
