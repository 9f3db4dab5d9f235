// The commander definitions of the CLI's remote mode (remote-route.ts decides which lines come here).
// Each action imports its module when it runs, so `trellis --help` and the local commands load none of it.
import { Command } from 'commander';
import type { RemoteClient } from './remote-client.js';
import { DUAL_COMMANDS } from './remote-route.js';
import { processRemoteIo, remoteClient, runRemote, type RemoteIo } from './remote-session.js';

interface RemoteFlagValues {
  server?: string;
  apiKey?: string;
}

function withRemoteFlags(command: Command): Command {
  return command
    .option('--server <url>', 'a running Trellis server (default: TRELLIS_SERVER)')
    .option('--api-key <key>', 'an API key of that server (default: TRELLIS_API_KEY)');
}

/** The action of a remote command: connect with the flags, run, and leave the exit status. */
function act<A extends unknown[]>(work: (client: RemoteClient, io: RemoteIo, ...args: A) => Promise<number>) {
  return async (...args: A) => {
    const command = args[args.length - 1] as Command;
    const flags = command.opts<RemoteFlagValues>();
    const io = processRemoteIo();
    process.exitCode = await runRemote(io, () => work(remoteClient(flags, io), io, ...args));
  };
}

/** Ctrl-C while following an execution ends the watch, not the execution. */
function interruptible(): AbortSignal {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  return controller.signal;
}

/** The `credentials set`, `push`, `executions`, `propose` and `reviews` commands (remote only). */
export function registerRemoteOnlyCommands(program: Command): void {
  const credentials = program.commands.find((c) => c.name() === 'credentials') ?? program.command('credentials').description('manage stored credentials');
  withRemoteFlags(credentials.command('set <name>'))
    .description("store a credential of the API key's user on the server (replaces its secret fields when it exists); the secret comes on stdin")
    .option('--provider <provider>', 'openai, anthropic, github, smtp, slack, http, ... (needed to create)')
    .option('--type <type>', 'api_key, oauth2, user_password, webhook_secret, secret_url, header or smtp', 'api_key')
    .option('--hosts <list>', 'comma-separated hosts the credential may be sent to')
    .action(
      act(async (client, io, name: string, options: { provider?: string; type: string; hosts?: string }) =>
        (await import('./remote-account.command.js')).credentialsSetCommand(client, name, options, io),
      ),
    );

  withRemoteFlags(program.command('push [dir]'))
    .description('validate the local agents folder, check the server holds the same files, and sync them on the server (admin key); exit 1 on any problem')
    .option('--format <format>', 'output: markdown or json', 'markdown')
    .action(
      act(async (client, io, dir: string | undefined, options: { format: string }) =>
        (await import('./remote-agents.command.js')).pushCommand(client, dir, options.format, io),
      ),
    );

  const executions = program.command('executions').description("executions on a server (--server / TRELLIS_SERVER), as the API key's user sees them");
  withRemoteFlags(executions.command('list'))
    .description('newest first')
    .option('--agent <name>', 'only this agent')
    .option('--status <status>', 'QUEUED, RUNNING, COMPLETED, FAILED or CANCELLED')
    .option('--limit <n>', 'how many')
    .option('--cursor <cursor>', 'the next page, as printed')
    .option('--json', 'the API answer as JSON', false)
    .action(act(async (client, io, options: ListFlags) => (await import('./remote-executions.command.js')).executionsListCommand(client, options, io)));
  withRemoteFlags(executions.command('show <id>'))
    .description('status, error, node executions and outputs')
    .option('--json', 'the API answer as JSON', false)
    .action(
      act(async (client, io, id: string, options: { json: boolean }) =>
        (await import('./remote-executions.command.js')).executionsShowCommand(client, id, options.json, io),
      ),
    );
  withRemoteFlags(executions.command('logs <id>'))
    .description('every node execution with its attempts, errors and outputs')
    .option('--json', 'one JSON object per node execution', false)
    .action(
      act(async (client, io, id: string, options: { json: boolean }) =>
        (await import('./remote-executions.command.js')).executionsLogsCommand(client, id, options.json, io),
      ),
    );
  withRemoteFlags(executions.command('stop <id>').alias('cancel'))
    .description('stop it (CANCELLED)')
    .action(act(async (client, io, id: string) => (await import('./remote-executions.command.js')).executionsStopCommand(client, id, io)));
  withRemoteFlags(executions.command('rerun <id>'))
    .description('run the same version again with the same inputs')
    .action(
      act(async (client, io, id: string) => (await import('./remote-executions.command.js')).executionsRestartCommand(client, id, 'rerun', undefined, io)),
    );
  withRemoteFlags(executions.command('retry <id>'))
    .description('retry a failed or cancelled execution from its failure, reusing the nodes that completed')
    .option('--latest', "on the agent's active version: a node is reused only if it and every node upstream are unchanged")
    .option('--version <which>', 'same or latest (--latest is short for --version latest)', 'same')
    .action(
      act(async (client, io, id: string, options: { version: string; latest?: boolean }) =>
        (await import('./remote-executions.command.js')).executionsRestartCommand(client, id, 'retry', options.latest ? 'latest' : options.version, io),
      ),
    );

  withRemoteFlags(program.command('propose <agent>'))
    .description('write an API graph as an agent file on a new branch of the agents repository and open a pull request (GitOps); prints its URL')
    .option('--json', 'the API answer as JSON (graph, version, file, branch, hash, pull_request)', false)
    .action(
      act(async (client, io, agent: string, options: { json: boolean }) =>
        (await import('./remote-propose.command.js')).proposeCommand(client, agent, options.json, io),
      ),
    );

  const reviews = program.command('reviews').description('human reviews on a server (--server / TRELLIS_SERVER)');
  withRemoteFlags(reviews.command('list'))
    .description('the reviews you may decide or started')
    .option('--status <status>', 'pending, approved, rejected, timed_out or cancelled')
    .option('--json', 'the API answer as JSON', false)
    .action(
      act(async (client, io, options: { status?: string; json: boolean }) =>
        (await import('./remote-account.command.js')).reviewsListCommand(client, options.status, options.json, io),
      ),
    );
  withRemoteFlags(reviews.command('decide <id> <decision>'))
    .description('approve or reject a pending review')
    .option('--comment <text>', 'why')
    .action(
      act(async (client, io, id: string, decision: string, options: { comment?: string }) =>
        (await import('./remote-account.command.js')).reviewsDecideCommand(client, id, decision, options.comment, io),
      ),
    );
}

interface ListFlags {
  agent?: string;
  status?: string;
  limit?: string;
  cursor?: string;
  json: boolean;
}

/** Adds --server and --api-key to the local forms of the dual commands (for --help; main() routes such lines here). */
export function addRemoteFlagsToLocalCommands(program: Command): void {
  for (const path of DUAL_COMMANDS) {
    const [first, second] = path.split(' ');
    let command = program.commands.find((c) => c.name() === first);
    if (second) command = command?.commands.find((c) => c.name() === second);
    if (command) withRemoteFlags(command);
  }
}

/** The program of a remote command line: the remote forms of plan, sync, run and keys create, and the remote-only commands. */
export function buildRemoteProgram(): Command {
  const program = new Command('trellis').description('Trellis, against a running server').showHelpAfterError().enablePositionalOptions();
  withRemoteFlags(program.command('plan [dir]'))
    .description("what a sync of the server's agents folder would change; exit 1 if a file there is invalid")
    .option('--format <format>', 'output: markdown or json', 'markdown')
    .action(
      act(async (client, io, dir: string | undefined, options: { format: string }) =>
        (await import('./remote-agents.command.js')).remotePlanCommand(client, options.format, io, dir),
      ),
    );
  withRemoteFlags(program.command('sync [dir]'))
    .description("sync the server's agents folder now (admin key); exit 1 if a file was invalid")
    .option('--format <format>', 'output: markdown or json', 'markdown')
    .action(
      act(async (client, io, dir: string | undefined, options: { format: string }) =>
        (await import('./remote-agents.command.js')).remoteSyncCommand(client, options.format, io, dir),
      ),
    );
  withRemoteFlags(program.command('run <agent>'))
    .description('start an execution of the agent on the server; --watch follows it and exits 0 when it completes, 1 when it fails')
    .option('--input <k=v>', 'an input (repeatable); the value is JSON when it parses as JSON', (value: string, previous: string[]) => [...previous, value], [])
    .option('--watch', 'follow it live until it ends', false)
    .option('--json', 'print the execution as JSON', false)
    .action(
      act(async (client, io, agent: string, options: { input: string[]; watch: boolean; json: boolean }) =>
        (await import('./remote-executions.command.js')).remoteRunCommand(client, agent, { ...options, signal: interruptible() }, io),
      ),
    );
  withRemoteFlags(program.command('keys').command('create'))
    .description("a new API key for the API key's own user, printed once")
    .option('--user <handle>', "must be the API key's own user over --server")
    .option('--scopes <list>', "comma-separated scopes (default: every scope of the user's role)")
    .option('--name <name>', 'a name to recognise the key by', 'cli key')
    .option('--expires-at <time>', 'ISO 8601 time when the key stops working (default: never)')
    .action(
      act(async (client, io, options: { user?: string; scopes?: string; name: string; expiresAt?: string }) =>
        (await import('./remote-account.command.js')).remoteKeysCreateCommand(client, options, io),
      ),
    );
  registerRemoteOnlyCommands(program);
  return program;
}
