// What the validator may be given to look things up (all optional but the blocks), and the per-agent
// state the rules share. Lookups are synchronous: callers with a database preload what they need.
import type { BlockDefinition, BlockLookup, CredentialType } from '../blocks/block.types.js';
import type { AgentDefinition, NodeDefinition } from './graph.types.js';
import type { AgentOutputsLookup } from './agent.pins.js';
import type { ProblemSink } from './agent.problems.js';
import type { ReadLink } from './agent.reader.js';

export interface CredentialCheck {
  found: boolean;
  /** False when the name might exist where this lookup cannot see (a user's credential, with no database). */
  certain: boolean;
  provider?: string;
  type?: CredentialType | string;
}

export interface CredentialNames {
  /** Whether `name` resolves for executions billed to `owner` (undefined: the default owner). */
  check(name: string, owner: string | undefined): CredentialCheck;
  /** Where names were looked for, for messages (`config/credentials.yaml`). */
  describe?: string;
}

export interface UserLookup {
  exists(handle: string): boolean;
}

export interface ChannelLookup {
  names(): string[];
}

/** What other agents (outside the set being validated) look like to agent.run. */
export interface AgentSummary {
  inputs: string[];
  outputs: string[];
  /** Agents it calls with agent.run or as ai.agent tools. */
  calls: string[];
}

export interface AgentCatalog {
  get(name: string): AgentSummary | undefined;
  names(): string[];
}

export interface ValidationContext {
  blocks: BlockLookup;
  credentials?: CredentialNames;
  users?: UserLookup;
  channels?: ChannelLookup;
  /** Agents that exist besides the ones being validated (API graphs when validating files, and so on). */
  agents?: AgentCatalog;
  /**
   * `server.public_url` as configured (null: not set), for the links human.review sends reviewers; undefined
   * when the configuration is not at hand (nothing is checked then).
   */
  publicUrl?: string | null;
}

/** One agent under validation, shared by the rule files. */
export interface AgentRuleState {
  sink: ProblemSink;
  agent: AgentDefinition;
  links: ReadLink[];
  context: ValidationContext;
  catalog: AgentCatalog;
  lookup: AgentOutputsLookup;
  /** node id -> its block, for nodes whose block exists. */
  blocks: Map<string, BlockDefinition>;
  /** `node.pin` of constants that failed their pin's schema (later rules skip them). */
  badConstants: Set<string>;
}

export function nodeBlock(state: AgentRuleState, id: string): { node: NodeDefinition; block: BlockDefinition } | undefined {
  const node = state.agent.nodes[id];
  const block = state.blocks.get(id);
  return node && block ? { node, block } : undefined;
}

/** The summary agent.run needs of an agent definition. */
export function summarizeAgent(agent: AgentDefinition): AgentSummary {
  const inputs: string[] = [];
  const outputs: string[] = [];
  const calls: string[] = [];
  for (const node of Object.values(agent.nodes)) {
    const name = node.inputs.name;
    if (node.block === 'input' && typeof name === 'string') inputs.push(name);
    if (node.block === 'output' && typeof name === 'string') outputs.push(name);
    if (node.block === 'agent.run' && typeof node.inputs.agent === 'string') calls.push(node.inputs.agent);
    if (node.block === 'ai.agent') calls.push(...toolAgents(node.inputs.tools).map(([, agent]) => agent));
  }
  return { inputs, outputs, calls };
}

/** The agents an ai.agent's `tools` call, with each entry's index. */
export function toolAgents(tools: unknown): Array<[number, string]> {
  if (!Array.isArray(tools)) return [];
  return tools.flatMap((tool, index): Array<[number, string]> => {
    const agent = tool !== null && typeof tool === 'object' ? (tool as { agent?: unknown }).agent : undefined;
    return typeof agent === 'string' ? [[index, agent]] : [];
  });
}
