// `trellis run <agent|file> [--input k=v]... [--json]`: validates the agent, then runs it once in this
// process on the in-memory runner with the real block library. Nothing is stored: it never touches
// .trellis/, a database or a server. Exit 0 when it completes, 1 when it fails (or the agent is invalid),
// 2 for a bad command line (unknown file, bad or missing --input). The validator and the in-memory runner
// load when a run starts: registering the command (and the remote CLI's use of parseInputPairs) loads neither.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { formatProblemText } from '../agent-format/agent.problems.js';
import { defaultDeps as agentDeps, processIo, type AgentCommandDeps, type CliIo } from './agents.command.js';
import { blockSettings } from '../blocks/block-context.js';
import type { BlockHttpClient, BlockRuntimeSettings, CredentialType, ResolvedCredential } from '../blocks/block.types.js';
import type { AppConfig } from '../config/config.schema.js';
import type { AgentDefinition } from '../agent-format/graph.types.js';
import { isFinalRunStatus } from '../executions/engine/engine.types.js';
import type { MemoryRunEvent, MemoryRunOptions, MemoryRunResult, NodeExecutionReport } from '../executions/memory-run.js';

export interface RunOptions {
  /** `--input k=v`, repeatable. */
  input: string[];
  json: boolean;
  /** Aborting it cancels the run (Ctrl-C). */
  signal?: AbortSignal;
}

/** What the command needs from outside: the block library, and config/ (null when it does not load). */
export interface RunCommandDeps extends Pick<AgentCommandDeps, 'blocks' | 'lookups'> {
  config(io: CliIo): Promise<AppConfig | null>;
  /** Outbound HTTP for blocks; `close` is called when the run ends. */
  http(settings: BlockRuntimeSettings): Promise<{ client: BlockHttpClient; close(): Promise<void> }>;
}

const SHORT_ERROR = 160;
const DEFAULT_SETTINGS: BlockRuntimeSettings = { allowPrivateAddresses: false, maxResponseBytes: 10 * 1024 * 1024 };

/** `k=v` pairs to inputs: a value is JSON when it parses as JSON, else the text itself. */
export function parseInputPairs(pairs: readonly string[]): { inputs: Record<string, unknown>; problems: string[] } {
  const inputs: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      problems.push(`--input ${JSON.stringify(pair)} is not name=value: write it like --input who=Ada or --input count=3`);
      continue;
    }
    const name = pair.slice(0, at).trim();
    const text = pair.slice(at + 1);
    if (Object.prototype.hasOwnProperty.call(inputs, name)) problems.push(`--input ${name} is given twice; give each input once`);
    inputs[name] = parseValue(text);
  }
  return { inputs, problems };
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Inputs checked against the agent's input nodes: unknown names and missing required inputs. */
export function checkInputs(agent: AgentDefinition, inputs: Record<string, unknown>): string[] {
  const declared = Object.values(agent.nodes)
    .filter((node) => node.block === 'input')
    .map((node) => ({ name: String(node.inputs.name), required: !Object.prototype.hasOwnProperty.call(node.inputs, 'default') }));
  const names = declared.map((d) => d.name);
  const problems: string[] = [];
  for (const name of Object.keys(inputs)) {
    if (!names.includes(name)) problems.push(`--input ${name}: ${agent.name} has no input "${name}"; its inputs are: ${names.join(', ') || 'none'}`);
  }
  const missing = declared.filter((d) => d.required && !Object.prototype.hasOwnProperty.call(inputs, d.name)).map((d) => d.name);
  if (missing.length) {
    const one = missing.length === 1;
    problems.push(
      `${agent.name} needs the required input${one ? '' : 's'} ${missing.join(', ')} (no default): give ${one ? 'it' : 'them'} as ${missing.map((m) => `--input ${m}=<value>`).join(' ')}`,
    );
  }
  return problems;
}

export async function runCommand(target: string, options: RunOptions, io: CliIo, deps: RunCommandDeps = defaultRunDeps): Promise<number> {
  const { AgentPathError, locateAgent } = await import('../agent-format/agent.files.js');
  const { validateAgents } = await import('../agent-format/agent.validator.js');
  const { agentChildRunner, runGraphInMemory } = await import('../executions/memory-run.js');
  const folder = io.env.AGENTS_DIR?.trim() || 'agents';
  let located;
  try {
    located = locateAgent(target, folder, io.cwd);
  } catch (error) {
    if (!(error instanceof AgentPathError)) throw error;
    io.err(`${error.message}\n`);
    return 2;
  }
  const blocks = await deps.blocks();
  const report = validateAgents(located.sources, { blocks, ...(await deps.lookups(io)) });
  const chosen = report.results[located.index]!;
  for (const problem of chosen.problems) if (problem.severity === 'warning' || !chosen.agent) io.err(formatProblemText(problem) + '\n');
  if (!chosen.agent) {
    io.err(`${chosen.source.file ?? target} has errors; fix them to run it (trellis validate shows every problem)\n`);
    return 1;
  }
  const agent = chosen.agent;
  const parsed = parseInputPairs(options.input);
  const problems = [...parsed.problems, ...(parsed.problems.length ? [] : checkInputs(agent, parsed.inputs))];
  if (problems.length) {
    for (const problem of problems) io.err(`${problem}\n`);
    return 2;
  }

  const agents = new Map<string, AgentDefinition>();
  for (const result of report.results) if (result.agent) agents.set(result.agent.name, result.agent);
  const config = await deps.config(io);
  const settings = config ? blockSettings(config) : DEFAULT_SETTINGS;
  const http = await deps.http(settings);
  const shared: Omit<MemoryRunOptions, 'inputs' | 'onEvent'> = {
    blocks,
    http: http.client,
    settings,
    userId: 'local',
    resolveCredentials: (_node, fields) => configCredentials(config, fields),
    systemDefaults: systemDefaults(config),
    ...(config
      ? {
          maxParallel: config.executor.max_parallel,
          nodeTimeoutMs: config.executor.node_timeout,
          executionTimeoutMs: config.executor.execution_timeout,
          maxNodeExecutions: config.executor.max_node_executions,
          maxValueBytes: config.executor.max_value_bytes,
          maxJsonDepth: config.limits.max_json_depth,
          maxDepth: config.executor.max_depth,
        }
      : {}),
  };
  const runChild = agentChildRunner(agents, shared, (name) => `agent "${name}" is not in the agents folder; put its file there (or set AGENTS_DIR)`);
  const started = Date.now();
  let result: MemoryRunResult;
  try {
    result = await runGraphInMemory(agent, {
      ...shared,
      executionId: randomUUID(),
      inputs: parsed.inputs,
      runChild,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.json ? {} : { onEvent: (event: MemoryRunEvent) => liveLine(event, io) }),
    });
  } finally {
    await http.close();
  }
  const durationMs = Date.now() - started;
  if (options.json)
    io.out(
      JSON.stringify(
        {
          agent: agent.name,
          status: result.status,
          outputs: result.outputs,
          error: result.error,
          duration_ms: durationMs,
          node_executions: result.node_executions,
        },
        null,
        2,
      ) + '\n',
    );
  else printResult(agent, result, durationMs, io);
  return result.status === 'COMPLETED' ? 0 : 1;
}

/** Credential names from config/credentials.yaml (the operator runs this, at their own terminal), with their hosts. */
function configCredentials(config: AppConfig | null, fields: Record<string, string>): Record<string, ResolvedCredential> {
  const resolved: Record<string, ResolvedCredential> = {};
  for (const [field, name] of Object.entries(fields)) {
    const entry = config?.credentials[name];
    if (entry) resolved[field] = { name, provider: entry.provider, type: entry.type as CredentialType, fields: { ...entry.fields }, hosts: entry.hosts };
  }
  return resolved;
}

/** The system defaults that are set (default:openai...), by provider, for fields a node leaves unmapped. */
function systemDefaults(config: AppConfig | null): Record<string, ResolvedCredential> {
  const defaults: Record<string, ResolvedCredential> = {};
  for (const [name, entry] of Object.entries(config?.credentials ?? {})) {
    if (entry.system && Object.keys(entry.fields).length > 0)
      defaults[entry.provider] = { name, provider: entry.provider, type: entry.type as CredentialType, fields: { ...entry.fields }, hosts: entry.hosts };
  }
  return defaults;
}

function liveLine(event: MemoryRunEvent, io: CliIo): void {
  if (event.type !== 'node') return;
  const node = event.node_execution;
  const label = `${node.node_id} (${node.block})`;
  if (node.status === 'RUNNING') {
    const attempt = node.attempts.length > 0 ? ` attempt ${node.attempts.length + 1}` : '';
    io.out(`  ▸ ${label} started${attempt}\n`);
  } else if (node.status === 'WAITING') {
    io.out(`  … ${label} waiting\n`);
  } else if (isFinalRunStatus(node.status)) {
    const mark = node.status === 'COMPLETED' ? '✓' : '✗';
    const error = node.error ? `: ${shortError(`${node.error.code}: ${node.error.message}`)}` : '';
    io.out(`  ${mark} ${label} ${node.status} in ${duration(node)}${error}\n`);
  }
}

function duration(node: NodeExecutionReport): string {
  if (!node.started_at || !node.ended_at) return '0 ms';
  return formatMs(Date.parse(node.ended_at) - Date.parse(node.started_at));
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function shortError(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > SHORT_ERROR ? `${line.slice(0, SHORT_ERROR - 1)}…` : line;
}

function printResult(agent: AgentDefinition, result: MemoryRunResult, durationMs: number, io: CliIo): void {
  io.out(`${agent.name}: ${result.status} in ${formatMs(durationMs)}\n`);
  if (result.error) io.out(`error: ${result.error.code}${result.error.node_id ? ` at node ${result.error.node_id}` : ''}: ${result.error.message}\n`);
  const outputs = Object.entries(result.outputs);
  if (outputs.length === 0) return;
  io.out('outputs:\n');
  for (const [name, values] of outputs) io.out(`  ${name}: ${JSON.stringify(values)}\n`);
}

/** The real dependencies: the block library, config/ when it loads (else defaults), real outbound HTTP. */
export const defaultRunDeps: RunCommandDeps = {
  blocks: agentDeps.blocks,
  lookups: agentDeps.lookups,
  async config(io) {
    const { ConfigError, loadConfig } = await import('../config/config.loader.js');
    try {
      return loadConfig({ env: io.env, cwd: io.cwd });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.err(`note: the configuration does not load, so defaults are used and config/credentials.yaml is not read:\n${error.message}\n`);
      return null;
    }
  },
  async http(settings) {
    const { OutboundHttp } = await import('../blocks/outbound/outbound-http.js');
    const http = OutboundHttp.fromSettings(settings);
    return { client: http.client(), close: () => http.close() };
  },
};

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerRunCommand(program: Command, deps: RunCommandDeps = defaultRunDeps, io: () => CliIo = processIo): void {
  program
    .command('run <agent>')
    .description('run an agent (its name in AGENTS_DIR, or a file) once in this process; nothing is stored; exit 1 if it fails')
    .option('--input <name=value>', 'an input value (JSON when it parses, else text); repeat for each input', collect, [])
    .option('--json', 'print one JSON document: status, outputs, error and every node execution', false)
    .action(async (target: string, options: { input: string[]; json: boolean }) => {
      const stop = new AbortController();
      const cancel = () => stop.abort();
      process.once('SIGINT', cancel);
      try {
        process.exitCode = await runCommand(target, { ...options, signal: stop.signal }, io(), deps);
      } finally {
        process.off('SIGINT', cancel);
      }
    });
}
