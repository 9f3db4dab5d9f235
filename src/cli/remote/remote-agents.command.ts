// `trellis push | plan | sync --server <url>`: agents as code against a running server. The server syncs
// its own agents folder (a Git checkout, or the folder it was started in), so `push` validates the local
// folder first, then checks that the server's folder holds exactly these files before it syncs.
import { hashAgent } from '../../agent-format/agent.canonical.js';
import { AgentPathError, readAgentSources } from '../../agent-format/agent.files.js';
import { formatProblemText } from '../../agent-format/agent.problems.js';
import { validateAgents } from '../../agent-format/agent.validator.js';
import { defaultDeps, type AgentCommandDeps, type CliIo } from '../../agents/agents.command.js';
import { PLAN_FORMATS, type AgentsPlan } from '../../agents/agents-plan.js';
import { renderPlanMarkdown } from '../../agents/agents-plan.render.js';
import type { SyncResult } from '../../agents/agents-sync.service.js';
import type { RemoteClient } from './remote-client.js';
import { plural, UsageError } from './remote-session.js';

/** The server plans and syncs its own folder: a local folder argument would be silently ignored, so it is refused. */
function noFolder(dir: string | undefined, command: string): void {
  if (dir !== undefined)
    throw new UsageError(
      `With --server, ${command} works on the server's own agents folder, not ${dir}: leave the folder out, or use \`trellis push ${dir}\` to check that the server holds it and sync it.`,
    );
}

function checkFormat(format: string): void {
  if (!(PLAN_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${PLAN_FORMATS.join(', ')}, got "${format}"`);
}

function print(plan: AgentsPlan, format: string, io: CliIo): void {
  io.out(format === 'json' ? JSON.stringify(plan, null, 2) + '\n' : renderPlanMarkdown(plan));
}

/** `trellis plan --server`: what a sync of the server's folder would change. Exit 1 if a file there is invalid. */
export async function remotePlanCommand(client: RemoteClient, format: string, io: CliIo, dir?: string): Promise<number> {
  noFolder(dir, 'plan');
  checkFormat(format);
  const plan = await client.get<AgentsPlan>('/api/agents/plan');
  print(plan, format, io);
  if (plan.blocked) io.err(`a sync would not apply: ${plan.blocked}\n`);
  return plan.summary.invalid ? 1 : 0;
}

/** `trellis sync --server`: the server syncs its folder now (admin). Exit 1 if a file was invalid (skipped). */
export async function remoteSyncCommand(client: RemoteClient, format: string, io: CliIo, dir?: string): Promise<number> {
  noFolder(dir, 'sync');
  checkFormat(format);
  const result = await client.post<SyncResult>('/api/agents/sync');
  print(result, format, io);
  reportSync(result, client, io);
  return result.summary.invalid ? 1 : 0;
}

function reportSync(result: SyncResult, client: RemoteClient, io: CliIo): void {
  const s = result.summary;
  if (result.status === 'skipped') io.err(`nothing synced on ${client.target.server}: ${result.reason}\n`);
  else
    io.err(
      `synced ${result.folder} on ${client.target.server}: ${s.create} created, ${s.update} updated, ${s.pinned} recorded while pinned, ${s.remove} removed, ${s.invalid} invalid (skipped), ${s.unchanged} unchanged\n`,
    );
}

/** Where the server's folder differs from the local one, agent by agent (by the hash of the canonical form). */
export function folderDifferences(local: ReadonlyMap<string, string>, plan: AgentsPlan): string[] {
  const differences: string[] = [];
  const remote = new Map(plan.agents.filter((entry) => entry.action !== 'remove').map((entry) => [entry.name, entry]));
  for (const [name, hash] of local) {
    const entry = remote.get(name);
    if (!entry) differences.push(`${name}: not in the server's folder`);
    else if (entry.action === 'invalid') differences.push(`${name}: invalid in the server's folder (${entry.file ?? 'unknown file'})`);
    else if (entry.hash !== hash) differences.push(`${name}: the server's ${entry.file ?? 'file'} differs from yours`);
  }
  for (const name of remote.keys()) if (!local.has(name)) differences.push(`${name}: in the server's folder, not in yours`);
  return differences;
}

/**
 * `trellis push [dir]`: validate the local folder (exit 1 on any problem, nothing sent), check that the
 * server's folder holds the same agents (exit 1 naming each difference), then sync it and print the result.
 */
export async function pushCommand(
  client: RemoteClient,
  dir: string | undefined,
  format: string,
  io: CliIo,
  deps: Pick<AgentCommandDeps, 'blocks' | 'lookups'> = defaultDeps,
): Promise<number> {
  checkFormat(format);
  const folder = dir ?? (io.env.AGENTS_DIR?.trim() || 'agents');
  let sources;
  try {
    sources = readAgentSources(folder, io.cwd);
  } catch (error) {
    if (error instanceof AgentPathError) throw new UsageError(error.message);
    throw error;
  }
  const report = validateAgents(sources, { blocks: await deps.blocks(), ...(await deps.lookups(io)) });
  for (const result of report.results) for (const problem of result.problems) io.err(formatProblemText(problem) + '\n');
  if (report.results.length === 0) throw new UsageError(`no agent files (*.yaml, *.yml) found in ${folder}: nothing to push`);
  if (!report.ok) {
    const invalid = report.results.filter((r) => !r.ok).length;
    io.err(`${plural(invalid, 'agent file')} of ${folder} ${invalid === 1 ? 'has' : 'have'} errors; fix them, then push again (nothing was sent)\n`);
    return 1;
  }
  const local = new Map(report.results.map((r) => [r.agent!.name, hashAgent(r.agent!)]));

  const plan = await client.get<AgentsPlan>('/api/agents/plan');
  const differences = folderDifferences(local, plan);
  if (differences.length) {
    for (const line of differences) io.err(`  ${line}\n`);
    io.err(
      `${client.target.server} syncs its own agents folder (${plan.folder}${plan.commit ? ` at commit ${plan.commit.slice(0, 12)}` : ''}), ` +
        `which does not hold your ${folder}. Commit and push your changes to the repository it syncs from (gitops.repository), ` +
        'or start the server on this folder (AGENTS_DIR), then run trellis push again. Nothing was synced.\n',
    );
    return 1;
  }
  if (plan.blocked) {
    io.err(`${client.target.server} would not sync: ${plan.blocked}\n`);
    return 1;
  }
  return remoteSyncCommand(client, format, io);
}
