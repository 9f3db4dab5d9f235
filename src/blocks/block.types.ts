// The block contract (spec/blocks.md). Blocks are plain objects; the registry, the validator, the
// engine, the agent test runner and POST /api/blocks/{id}/execute all speak only this interface.
import type { Logger } from 'pino';
import type { SandboxSettings } from '../sandbox/sandbox.types.js';

/** A JSON Schema (draft 2020-12 subset). Pin schemas are the `properties` of a block's input/output schema. */
export type JsonSchema = Record<string, unknown>;

export type BlockCategory =
  'io' | 'trigger' | 'ai' | 'text' | 'data' | 'logic' | 'http' | 'time' | 'github' | 'communication' | 'agent' | 'code' | 'human' | 'flow';

export type CredentialType = 'api_key' | 'oauth2' | 'user_password' | 'webhook_secret' | 'secret_url' | 'header' | 'smtp';

export interface CredentialFieldSpec {
  provider: string;
  /** Every provider this field accepts, when more than `provider` (llm: openai, anthropic, openai_compatible). */
  providers?: string[];
  /** Credential types this field accepts. */
  types: CredentialType[];
  /** The node may leave this field unmapped (e.g. trigger.webhook's `secret`). */
  optional?: boolean;
  /** Environment variable of the system default (OPENAI_API_KEY, GITHUB_TOKEN, SMTP_URL...). */
  systemDefaultEnv?: string;
  description?: string;
}

/** `sticky`: kept and reused for every later run (like a static link). `gather`: all values go to one run. */
export type PinMode = 'sticky' | 'gather';

/** What a resolved credential looks like to a block: its type and its secret fields, in memory only. */
export interface ResolvedCredential {
  name: string;
  provider: string;
  type: CredentialType;
  fields: Record<string, string>;
  /**
   * Where it may be sent (`hosts` entries, see common/credential-hosts.ts). Unset: wherever its block sends
   * it (a user's own credential without `hosts`, as in release 1). Operator credentials always have it.
   */
  hosts?: readonly string[];
  /**
   * oauth2 credentials of the database only: a new access token after the API rejected `rejectedAccessToken`
   * (401). One refresh however many callers ask at once; when another caller already replaced that token,
   * the stored one comes back without a call. Rejects (with a message safe to show) when it cannot refresh.
   */
  refresh?(rejectedAccessToken: string): Promise<ResolvedCredential>;
}

/**
 * Headers a block made from a credential. The outbound client attaches them only to a URL the
 * credential's `hosts` admit (else CREDENTIAL_HOST_REFUSED), and drops exactly these on a redirect to
 * another origin.
 */
export interface CredentialAttachment {
  credential: ResolvedCredential;
  headers: Record<string, string>;
}

export type BlockRequestInit = RequestInit & { maxResponseBytes?: number; timeoutMs?: number; credential?: CredentialAttachment };

/** The outbound HTTP client every block uses: honours the AbortSignal and the private-address policy. */
export interface BlockHttpClient {
  fetch(url: string | URL, init?: BlockRequestInit): Promise<Response>;
}

/** Settings blocks read (base URLs, limits); a narrow view of AppConfig. */
export interface BlockRuntimeSettings {
  githubBaseUrl?: string;
  openaiBaseUrl?: string;
  anthropicBaseUrl?: string;
  allowPrivateAddresses: boolean;
  maxResponseBytes: number;
  /** Limits of user computation (JSONata, Liquid, code.js); the defaults when absent. */
  sandbox?: SandboxSettings;
  /** `ai_agent.max_result_bytes`: each tool result in ai.agent's trace is cut to this (default 16 KB). */
  aiAgentMaxResultBytes?: number;
}

export interface BlockContext {
  executionId: string;
  /** The graph being run, when there is one: sandbox work is shared fairly across graphs. */
  graphId?: string;
  nodeId: string;
  nodeExecutionId: string;
  userId: string;
  /** Credential field -> resolved credential (already decrypted; never log it). */
  credentials: Record<string, ResolvedCredential>;
  /** Provider -> the system default this run may use for a field its node leaves unmapped (llm: by `provider`). */
  systemDefaults?: Readonly<Record<string, ResolvedCredential>>;
  signal: AbortSignal;
  logger: Logger;
  http: BlockHttpClient;
  settings: BlockRuntimeSettings;
  /** 1 for the first attempt. */
  attempt: number;
  /** How ai.agent runs its tools (blocks/agent-tools.runner.ts); absent where tools cannot run. */
  agentTools?: AgentToolPort;
  /**
   * Charges one call inside this attempt (a chargedPerCall block's model call, or a block tool run) once per
   * (node execution, key), whatever the attempt; answers what it costs (charged now or before). Throws
   * INSUFFICIENT_CREDITS when the balance does not cover it. Absent where nothing is charged.
   */
  charge?(call: BlockCallCharge): Promise<number>;
}

/** One call a block charges on its own (BlockContext.charge). */
export interface BlockCallCharge {
  /** Unique within the node execution, e.g. `step:3:model`. */
  key: string;
  /** The block whose cost is charged: the node's own (a model call) or a tool's. */
  block: string;
  /** The inputs that price it (the model; a tool's inputs). */
  inputs: Record<string, unknown>;
  /** For the ledger and a refusal: `ai.agent model call 3`. */
  reason: string;
}

/** One tool call of an ai.agent node, as its port runs it. */
export interface AgentToolCall {
  /** The tool entry of the node's `tools` list (name, block, inputs, credentials, hosts...). */
  tool: Record<string, unknown>;
  /** The model's arguments, already parsed (an object). */
  arguments: Record<string, unknown>;
  signal: AbortSignal;
}

/** One model turn as ai.agent sees it: text, and the tool calls with their arguments as JSON text. */
export interface AgentModelPort {
  turn(messages: readonly unknown[]): Promise<{
    text: string;
    calls: { id: string; name: string; arguments: string }[];
    usage: { input_tokens: number; output_tokens: number };
  }>;
}

/** A tool call that needs a reviewer's approval (require_approval), as the review shows it. */
export interface ToolApprovalRequest {
  /** Unique within the node execution (the model call's number and the call's id). */
  call_id: string;
  tool: string;
  arguments: Record<string, unknown>;
}

/** Reviews of require_approval tool calls (a durable execution only). */
export interface AgentApprovalPort {
  /**
   * How the reviews of these calls ended, by call_id: approved (also a timeout whose on_timeout approves), timed_out
   * (nobody decided in time), or rejected (also a cancel); undecided ones are left out.
   */
  decisions(calls: ToolApprovalRequest[]): Promise<Map<string, 'approved' | 'rejected' | 'timed_out'>>;
  /**
   * Asks for reviews of these calls; answers the error the attempt throws at once. The node then waits
   * (WAITING, reason `tool`) without a slot, and runs again once every review ended, continuing its
   * stored conversation.
   */
  wait(requests: ToolApprovalRequest[]): Error;
}

/** An agent tool call: a child execution of `agent` with the model's arguments as its inputs. */
export interface ToolChildRequest {
  /** Unique within the node execution (the model call's number and the call's id). */
  call_id: string;
  agent: string;
  inputs: Record<string, unknown>;
}

/** How an agent tool's child execution ended: its outputs, or why it failed. */
export type ToolChildResult = { ok: true; outputs: Record<string, unknown[]> } | { ok: false; error: string };

/** Agent tools (child executions; a durable execution only). */
export interface AgentChildPort {
  /** The `input` names of an agent the execution's user may run; undefined for one that does not exist or is not theirs. */
  agentInputs(name: string): Promise<string[] | undefined>;
  /** The children of these calls that finished, by call_id. */
  results(calls: ToolChildRequest[]): Promise<Map<string, ToolChildResult>>;
  /** Starts these children; answers the error the attempt throws at once (the node waits, reason `tool`, and runs again once all finished). */
  start(calls: ToolChildRequest[]): Error;
}

/** What an ai.agent's work adds to the metrics (release-2.md section 8): model calls, tokens, tool calls, refusals. */
export interface AgentMetricsPort {
  modelCall(model: string, usage: { input_tokens: number; output_tokens: number }): void;
  toolCall(kind: 'block' | 'agent', ok: boolean): void;
  /** A tool call whose URL lies outside the tool's `hosts`: refused before it ran (or was charged). */
  toolHostRefused(): void;
}

/** Runs ai.agent tools; every outcome is redacted of the tool's secrets before it comes back. */
export interface AgentToolPort {
  /** The blocks tools are made of (their input pins are the tools' parameters). */
  readonly blocks: BlockLookup;
  /** The inputs of an agent this execution's user may run, or undefined (none, or not theirs). */
  agentInputs?(name: string): string[] | undefined;
  /** A scripted model instead of the provider (`trellis test` mocks of ai.agent); absent: the node's provider. */
  model?: AgentModelPort;
  /** The conversation stored for this node execution (null: none yet), saved after every step; absent: not durable. */
  checkpoint?: {
    load(): Promise<unknown>;
    save(state: unknown): Promise<void>;
    /** Told each batch of trace entries once stored (the execution's events stream them); absent: not streamed. */
    stepped?(steps: unknown[]): void;
  };
  /** Agent tools as child executions; absent: an agent tool call comes back to the model as an error. */
  children?: AgentChildPort;
  /** Reviews for require_approval tools; absent: such a tool call comes back to the model as an error. */
  approvals?: AgentApprovalPort;
  /** Counts the agent's work in the process's metrics; absent: not counted. */
  metrics?: AgentMetricsPort;
  run(call: AgentToolCall): Promise<{ ok: true; result: unknown } | { ok: false; error: string }>;
}

export type BlockYield = readonly [pin: string, value: unknown];

/**
 * Output pins that do not yield exactly one value per successful run: `sometimes` pins yield at most one (the
 * sides of a branch), `repeated` pins any number, none included (a fan-out); `dynamic` says which of the two
 * the pins added by `dynamicOutputs` are. Every other pin yields once; `error` is always `sometimes`.
 */
export interface OutputYields {
  sometimes?: readonly string[];
  repeated?: readonly string[];
  dynamic?: 'sometimes' | 'repeated';
}

/**
 * One error code a block may fail with (release-2.md section 2), shown by GET /api/blocks. `transient`: trying
 * again may help, so `retry.on: transient` retries it; a failure carrying an HTTP status (`details.status`) is
 * judged by that status (408, 429 and 5xx are transient) whatever the code says.
 */
export interface BlockErrorSpec {
  code: string;
  description: string;
  transient: boolean;
}

export interface BlockDefinition<I extends Record<string, unknown> = Record<string, unknown>> {
  /** Stable dotted slug, e.g. `text.template`. */
  id: string;
  description: string;
  category: BlockCategory;
  /** `{type: 'object', properties: {<pin>: schema}, required: [...]}`. */
  inputSchema: JsonSchema;
  /** `{type: 'object', properties: {<pin>: schema}}`; `error` is added by the registry. */
  outputSchema: JsonSchema;
  credentials?: Record<string, CredentialFieldSpec>;
  /**
   * Who may list, validate and run it (an OpenAPI integration's `allow`, release-2.md section 5), by the
   * operator credential rule (credential-policy.ts). Absent: everyone.
   */
  allow?: { readonly file_agents: boolean; readonly roles: readonly string[]; readonly users: readonly string[] };
  /**
   * The attempt costs nothing: `cost` is charged per call the block makes, through BlockContext.charge
   * (ai.agent: per model call; its block tools at their own cost).
   */
  chargedPerCall?: true;
  /** Credits per attempt (per call when chargedPerCall); a function for per-model costs (LLM blocks). config/costs.yaml overrides. */
  cost: number | ((inputs: Partial<I>, costs: { models: Record<string, number>; default_model_cost: number; integrations: Record<string, number> }) => number);
  pinModes?: Record<string, PinMode>;
  /**
   * The input pin (list.collect: `count`) whose number, once known, fires a gather run as soon as every
   * gather pin holds that many values, instead of waiting for the execution to go quiet.
   */
  gatherCount?: string;
  /** Yields are delivered at once (with a sequence number), and the block is not retried after its first yield. */
  streaming?: boolean;
  /**
   * Output pins that depend on constant inputs (llm.classify labels, logic.switch cases, agent.run's child
   * outputs). Given the node's constant inputs, the extra pin names.
   */
  dynamicOutputs?: (constants: Partial<I>, lookup: { agentOutputs(agent: string): string[] | undefined }) => string[];
  /**
   * Blocks the engine runs durably instead of calling `run` in a worker slot: `delay` (time.delay) and
   * `child_execution` (agent.run), `review` (human.review), `event` (wait.event). `run` still works
   * in-process where it can (trellis test, POST /blocks/{id}/execute).
   */
  suspend?: 'delay' | 'child_execution' | 'review' | 'event';
  /** Trigger blocks are never run: their node is seeded with the event. */
  trigger?: boolean;
  /** Reaches the outside world: a re-run attempt may repeat the effect (docs say so). */
  sideEffects?: boolean;
  /** Output pins that do not yield exactly one value per run (graph analysis counts runs and credits by it). */
  yields?: OutputYields;
  /** The block's own error codes (block-errors.catalog.ts); the registry adds the codes every block may give. */
  errors?: readonly BlockErrorSpec[];
  run(inputs: I, context: BlockContext): AsyncGenerator<BlockYield, void, undefined>;
}

/** What the validator, the engine and the test runner need of the registry. */
export interface BlockLookup {
  get(id: string): BlockDefinition | undefined;
  list(): readonly BlockDefinition[];
}
