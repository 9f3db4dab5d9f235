// The `trellis` program with every command: each feature registers its sub-commands from its own
// *.command.ts file, and the remote-only ones come from cli/remote/. src/cli.ts's main() loads it.
import 'reflect-metadata';
import { Command } from 'commander';
import { registerAgentCommands } from '../agents/agents.command.js';
import { addRemoteFlagsToLocalCommands, registerRemoteOnlyCommands } from './remote/remote.program.js';
import { registerSyncCommands } from '../agents/agents-sync.command.js';
import { registerKeysCommands } from '../auth/keys.command.js';
import { registerBlocksCommands } from '../blocks/blocks.command.js';
import { registerDatabaseCommands } from '../database/database.command.js';
import { registerRunCommand } from '../executions/run.command.js';
import { registerCredentialsCommands } from '../integrations/credentials.command.js';

export function buildProgram(): Command {
  const program = new Command('trellis').description('Trellis: AI agents as code, validated, synced and run.').showHelpAfterError().enablePositionalOptions();

  program
    .command('start')
    .description('start the server (embedded Postgres when DATABASE_URL is unset; in-process dispatch when REDIS_URL is unset)')
    .option('--role <role>', 'api, worker or all (default: TRELLIS_ROLE or all)')
    .action(async (options: { role?: string }) => {
      const { main } = await import('../main.js');
      await main(options.role ? ['--role', options.role] : []);
    });

  registerDatabaseCommands(program);
  registerKeysCommands(program);
  registerCredentialsCommands(program);
  registerAgentCommands(program);
  registerSyncCommands(program);
  registerBlocksCommands(program);
  registerRunCommand(program);
  registerRemoteOnlyCommands(program);
  addRemoteFlagsToLocalCommands(program);
  return program;
}
