// The tool port of ai.agent (BlockContext.agentTools), in-process: a block tool runs through the checked
// block runner (validated-run.ts) inside the ai.agent attempt, with the model's arguments plus its entry's
// constants (constants win), only the credentials its entry names (resolved for the execution's user as a
// node of the graph would be, with the execution's file trust for entries its agent file gives; never a
// system default), and a URL outside its `hosts` refused. Whatever a tool yields or throws is scrubbed of
// that tool's secrets before the model sees it. Reviews of require_approval calls come through `approvals`
// (executions/worker/tool-approvals.ts), agent tools' child executions through `children`
// (executions/worker/tool-children.ts); the loop uses those ports, `run` serves block tools.
import { SecretScrubber } from '../common/secret-scrubber.js';
import type {
  AgentApprovalPort,
  AgentChildPort,
  AgentMetricsPort,
  AgentToolCall,
  AgentToolPort,
  BlockContext,
  BlockDefinition,
  BlockLookup,
  BlockYield,
  ResolvedCredential,
} from './block.types.js';
import type { CredentialResolver } from './credential-resolver.js';
import { FORBIDDEN_TOOL_BLOCKS, toolUrlRefusal } from './library/ai/ai-agent.tools.js';
import { validatedRun } from './validated-run.js';

type AttemptRunner = (request: { block: BlockDefinition; inputs: Record<string, unknown>; context: BlockContext }) => AsyncIterable<BlockYield>;

export interface AgentToolDeps {
  blocks: BlockLookup;
  /** Resolves the names a tool entry gives; without one, only tools that take no credentials run. */
  resolver?: CredentialResolver;
  /** Where ai.agent conversations are stored, by node execution id (executions: ai_agent_conversations). */
  checkpoints?: AgentCheckpointStore | undefined;
  /**
   * The node's `tools` as its agent FILE gives them, when the execution has file trust (release-2.md section
   * 1; absent or undefined: none): a tool entry equal to one of these gets operator credentials by file trust,
   * exactly as a node of the file would. Entries that came another way (a link, an expression) do not.
   */
  fileTools?: ((nodeId: string) => readonly unknown[] | undefined) | undefined;
  /** Agent tools as child executions, by node execution id and user (a durable execution's; absent: agent tools cannot run). */
  children?: ((nodeExecutionId: string, userId: string) => AgentChildPort | undefined) | undefined;
  /** Reviews of require_approval tool calls, by node execution id (a durable execution's; absent: none can be asked for). */
  approvals?: ((nodeExecutionId: string) => AgentApprovalPort | undefined) | undefined;
  /** Where ai.agent model calls, tokens and tool calls are counted (absent: nowhere). */
  agentMetrics?: AgentMetricsPort | undefined;
}

export interface AgentCheckpointStore {
  load(nodeExecutionId: string): Promise<unknown>;
  save(nodeExecutionId: string, state: unknown): Promise<void>;
  /** Told each batch of an ai.agent's trace entries once stored (executions publish them as events); optional. */
  stepped?(node: AgentStepSource, steps: unknown[]): void;
}

/** Whose trace entries these are: the node execution and what the events need to reach the right people. */
export interface AgentStepSource {
  executionId: string;
  graphId?: string;
  userId: string;
  nodeId: string;
  nodeExecutionId: string;
}

/** Wraps a block runner so that ai.agent attempts get the tool port. */
export function withAgentTools(base: AttemptRunner, deps: AgentToolDeps): AttemptRunner {
  return (request) => {
    if (request.block.id !== 'ai.agent' || request.context.agentTools) return base(request);
    return base({ ...request, context: { ...request.context, agentTools: blockToolPort(request.context, deps) } });
  };
}

export function blockToolPort(context: BlockContext, deps: AgentToolDeps): AgentToolPort {
  const store = deps.checkpoints;
  const id = context.nodeExecutionId;
  const approvals = deps.approvals?.(id);
  const children = deps.children?.(id, context.userId);
  return {
    blocks: deps.blocks,
    run: (call) => runBlockTool(call, context, deps),
    ...(store ? { checkpoint: checkpointOf(store, context) } : {}),
    ...(approvals ? { approvals } : {}),
    ...(children ? { children } : {}),
    ...(deps.agentMetrics ? { metrics: deps.agentMetrics } : {}),
  };
}

function checkpointOf(store: AgentCheckpointStore, context: BlockContext): NonNullable<AgentToolPort['checkpoint']> {
  const id = context.nodeExecutionId;
  const source: AgentStepSource = {
    executionId: context.executionId,
    ...(context.graphId !== undefined ? { graphId: context.graphId } : {}),
    userId: context.userId,
    nodeId: context.nodeId,
    nodeExecutionId: id,
  };
  return {
    load: () => store.load(id),
    save: (state: unknown) => store.save(id, state),
    ...(store.stepped ? { stepped: (steps: unknown[]) => store.stepped!(source, steps) } : {}),
  };
}

async function runBlockTool(
  call: AgentToolCall,
  context: BlockContext,
  deps: AgentToolDeps,
): Promise<{ ok: true; result: unknown } | { ok: false; error: string }> {
  const entry = call.tool;
  const blockId = typeof entry.block === 'string' ? entry.block : undefined;
  if (!blockId) return { ok: false, error: 'agent tools start child executions, which only an execution on the server can do (mock the tool in a test)' };
  const block = deps.blocks.get(blockId);
  if (!block || block.trigger || block.suspend || FORBIDDEN_TOOL_BLOCKS.has(blockId)) return { ok: false, error: `block "${blockId}" cannot be a tool` };
  const constants = isDict(entry.inputs) ? entry.inputs : {};
  const inputs = { ...call.arguments, ...constants };
  const refused = toolUrlRefusal(entry.hosts, inputs);
  if (refused) return { ok: false, error: refused };
  const fromFile = deps.fileTools?.(context.nodeId)?.some((fileEntry) => JSON.stringify(fileEntry) === JSON.stringify(entry)) === true;
  const credentials = await toolCredentials(block, isDict(entry.credentials) ? (entry.credentials as Record<string, string>) : {}, context, deps, fromFile);
  if ('error' in credentials) return { ok: false, error: credentials.error };
  const scrubber = SecretScrubber.of(Object.values(credentials.resolved));
  try {
    const { systemDefaults: _none, agentTools: _no, charge: _charged, ...rest } = context;
    const toolContext: BlockContext = { ...rest, credentials: credentials.resolved, signal: call.signal, logger: context.logger.child({ tool: entry.name }) };
    const outputs: Record<string, unknown> = {};
    for await (const [pin, value] of validatedRun(block, inputs).start(toolContext)) {
      if (pin === 'error') return { ok: false, error: String(scrubber.value(describe(value))) };
      outputs[pin] = value;
    }
    return { ok: true, result: scrubber.value(outputs) };
  } catch (error) {
    if (call.signal.aborted) throw call.signal.reason ?? error;
    return { ok: false, error: String(scrubber.value((error as Error).message ?? String(error))) };
  }
}

/** Exactly the credentials the entry names; a field left unmapped gets nothing (no system default). */
async function toolCredentials(
  block: BlockDefinition,
  names: Record<string, string>,
  context: BlockContext,
  deps: AgentToolDeps,
  fromFile: boolean,
): Promise<{ resolved: Record<string, ResolvedCredential> } | { error: string }> {
  const specs = block.credentials ?? {};
  const missing = Object.entries(specs).filter(([field, spec]) => !spec.optional && names[field] === undefined);
  if (missing.length) {
    return { error: `this tool needs credentials ${missing.map(([f]) => f).join(', ')}, which its entry does not name (tools never get system defaults)` };
  }
  if (!Object.keys(names).length && block.allow === undefined) return { resolved: {} };
  if (!deps.resolver) return { error: 'credentials cannot be resolved here' };
  const resolution = await deps.resolver.resolve({ block, names, userId: context.userId, fromFile, ...(fromFile ? { fileTrusted: Object.keys(names) } : {}) });
  const resolved: Record<string, ResolvedCredential> = {};
  for (const field of Object.keys(names)) if (resolution.credentials[field]) resolved[field] = resolution.credentials[field];
  const problems = resolution.problems.filter((p) => p.pointer === '/block' || Object.keys(names).some((field) => p.pointer === `/credentials/${field}`));
  if (problems.length) return { error: problems.map((p) => p.message).join('; ') };
  return { resolved };
}

function describe(value: unknown): string {
  if (isDict(value) && typeof value.message === 'string') return typeof value.code === 'string' ? `${value.code}: ${value.message}` : value.message;
  return JSON.stringify(value);
}

function isDict(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
