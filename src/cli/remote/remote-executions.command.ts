// `trellis run <agent> --server <url> [--input k=v]... [--watch]` and `trellis executions list | show |
// logs | stop | rerun | retry`: executions on a running server, seen as the API key's user sees them.
import type { CliIo } from '../../agents/agents.command.js';
import { parseInputPairs } from '../../agents/run.command.js';
import type { ExecutionView, NodeExecutionView } from '../../executions/executions.views.js';
import { watchExecution } from './execution-watch.js';
import type { RemoteClient } from './remote-client.js';
import { brief, UsageError } from './remote-session.js';

export interface RemoteRunOptions {
  input: string[];
  watch: boolean;
  json: boolean;
  /** Ends the watch (Ctrl-C); the execution goes on on the server. */
  signal?: AbortSignal;
  /** Poll interval when the WebSocket is not available (tests shorten it). */
  pollMs?: number;
}

interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

const path = (...parts: string[]) => parts.map(encodeURIComponent).join('/');

export function nodeLine(node: NodeExecutionView): string {
  const error = node.error ? `: ${node.error.code} ${brief(node.error.message, 160)}` : '';
  return `  ${node.node_id} (${node.block}) ${node.status}${error}\n`;
}

function printFinal(execution: ExecutionView, io: CliIo): void {
  const took = execution.started_at && execution.ended_at ? ` in ${Date.parse(execution.ended_at) - Date.parse(execution.started_at)} ms` : '';
  io.err(`execution ${execution.id} ${execution.status}${took}, cost ${execution.cost}\n`);
  if (execution.error) io.err(`error ${execution.error.code}${execution.error.node_id ? ` at ${execution.error.node_id}` : ''}: ${execution.error.message}\n`);
  for (const [name, values] of Object.entries(execution.outputs ?? {})) for (const value of values) io.out(`${name}: ${brief(value, 2000)}\n`);
}

/** Exit 0 when it completes (or, without --watch, once queued), 1 when it fails or is cancelled, 130 when the watch is interrupted. */
export async function remoteRunCommand(client: RemoteClient, agent: string, options: RemoteRunOptions, io: CliIo): Promise<number> {
  if (/\.ya?ml$/i.test(agent)) throw new UsageError(`With --server, name the agent as the server knows it (its "name:"), not a file: ${agent}`);
  const parsed = parseInputPairs(options.input);
  if (parsed.problems.length) throw new UsageError(parsed.problems.join('\n'));
  const queued = await client.post<ExecutionView>(`/api/graphs/${path(agent)}/execute`, { json: { inputs: parsed.inputs }, subject: `agent ${agent}` });
  if (!options.watch) {
    io.err(`execution ${queued.id} of ${queued.graph_id} v${queued.graph_version} is ${queued.status}; follow it with trellis executions show ${queued.id}\n`);
    io.out(options.json ? JSON.stringify(queued, null, 2) + '\n' : `${queued.id}\n`);
    return 0;
  }
  io.err(`execution ${queued.id} of ${queued.graph_id} v${queued.graph_version} on ${client.target.server}\n`);
  const result = await watchExecution(client, queued.id, {
    onNode: (node) => (options.json ? undefined : io.err(nodeLine(node))),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
  });
  if (!result.ended) {
    io.err(`stopped watching; execution ${queued.id} goes on on the server (trellis executions stop ${queued.id} ends it)\n`);
    return 130;
  }
  if (options.json) io.out(JSON.stringify(result.execution, null, 2) + '\n');
  else printFinal(result.execution, io);
  return result.execution.status === 'COMPLETED' ? 0 : 1;
}

export interface ListOptions {
  agent?: string;
  status?: string;
  limit?: string;
  cursor?: string;
  json: boolean;
}

export async function executionsListCommand(client: RemoteClient, options: ListOptions, io: CliIo): Promise<number> {
  const page = await client.get<Page<ExecutionView>>('/api/executions', {
    query: { graph_id: options.agent, status: options.status, limit: options.limit, cursor: options.cursor },
  });
  if (options.json) {
    io.out(JSON.stringify(page, null, 2) + '\n');
    return 0;
  }
  if (page.items.length === 0) io.err('no executions\n');
  for (const e of page.items) io.out(`${e.id}  ${e.status.padEnd(9)}  ${e.graph_id} v${e.graph_version}  ${e.source}  ${e.created_at}  cost ${e.cost}\n`);
  if (page.next_cursor) io.err(`more: trellis executions list --cursor ${page.next_cursor}\n`);
  return 0;
}

export async function executionsShowCommand(client: RemoteClient, id: string, json: boolean, io: CliIo): Promise<number> {
  const detail = await client.get<ExecutionView>(`/api/executions/${path(id)}`, { subject: `execution ${id}` });
  if (json) {
    io.out(JSON.stringify(detail, null, 2) + '\n');
    return 0;
  }
  io.out(`${detail.id}  ${detail.graph_id} v${detail.graph_version}  ${detail.status}  source ${detail.source}  cost ${detail.cost}\n`);
  io.out(`created ${detail.created_at}, started ${detail.started_at ?? '-'}, ended ${detail.ended_at ?? '-'}\n`);
  if (detail.error) io.out(`error ${detail.error.code}${detail.error.node_id ? ` at ${detail.error.node_id}` : ''}: ${detail.error.message}\n`);
  for (const node of detail.node_executions ?? []) io.out(nodeLine(node));
  for (const [name, values] of Object.entries(detail.outputs ?? {})) for (const value of values) io.out(`output ${name}: ${brief(value, 2000)}\n`);
  return 0;
}

/** Every node execution with its attempts, page after page. */
export async function executionsLogsCommand(client: RemoteClient, id: string, json: boolean, io: CliIo): Promise<number> {
  let cursor: string | undefined;
  do {
    const page: Page<NodeExecutionView> = await client.get(`/api/executions/${path(id)}/nodes`, { query: { cursor, limit: 200 }, subject: `execution ${id}` });
    for (const node of page.items) {
      if (json) {
        io.out(JSON.stringify(node) + '\n');
        continue;
      }
      io.out(nodeLine(node));
      for (const attempt of node.attempts) {
        const error = attempt.error ? ` ${attempt.error.code}: ${brief(attempt.error.message, 200)}` : '';
        io.out(`    attempt ${attempt.attempt} ${attempt.started_at} -> ${attempt.ended_at ?? 'running'}${error}\n`);
      }
      for (const [pin, values] of Object.entries(node.outputs)) for (const value of values) io.out(`    ${pin}: ${brief(value)}\n`);
    }
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return 0;
}

export async function executionsStopCommand(client: RemoteClient, id: string, io: CliIo): Promise<number> {
  const detail = await client.get<ExecutionView>(`/api/executions/${path(id)}`, { subject: `execution ${id}` });
  const stopped = await client.post<ExecutionView>(`/api/graphs/${path(detail.graph_id)}/executions/${path(id)}/stop`, { subject: `execution ${id}` });
  io.err(stopped.status === 'CANCELLED' && detail.status !== 'CANCELLED' ? `stopped ${id}\n` : `${id} had already ended: ${stopped.status}\n`);
  io.out(`${stopped.status}\n`);
  return 0;
}

/** `rerun`: the same version and inputs again; `retry` (release 2): from the failure, reusing what completed. */
export async function executionsRestartCommand(
  client: RemoteClient,
  id: string,
  how: 'rerun' | 'retry',
  version: string | undefined,
  io: CliIo,
): Promise<number> {
  if (how === 'retry' && version !== undefined && version !== 'same' && version !== 'latest')
    throw new UsageError(`--version must be same or latest, got "${version}"`);
  const body = how === 'retry' ? { json: { version: version ?? 'same' } } : {};
  const started = await client.post<ExecutionView & { rerun_side_effects?: Array<{ node_id: string; block: string; agent?: string; execution_id?: string }> }>(
    `/api/executions/${path(id)}/${how}`,
    {
      ...body,
      subject: `execution ${id}`,
    },
  );
  io.err(`execution ${started.id} (${how} of ${id}) is ${started.status}\n`);
  for (const node of started.rerun_side_effects ?? []) {
    const where = node.execution_id ? ` of agent ${node.agent ?? '?'} (child execution ${node.execution_id})` : '';
    io.err(`warning: node ${node.node_id}${where} (${node.block}) was stopped mid-attempt and runs again: its outside effect may happen twice\n`);
  }
  io.out(`${started.id}\n`);
  return 0;
}
