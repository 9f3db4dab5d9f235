// The `trellis` program with every command: each feature registers its sub-commands from its own
// *.command.ts file, and the remote-only ones come from cli/remote/. src/cli.ts's main() loads it.
// Registering loads only commander: each command imports what it runs inside its action, so `trellis
// --help` and `trellis validate` load no Nest, no TypeORM and no SDK (bench: the CLI start figures).
import { Command } from 'commander';
import { registerAgentCommands } from '../agents/agents.command.js';
import { registerAnalyzeCommand } from '../agents/analyze.command.js';
import { addRemoteFlagsToLocalCommands, registerRemoteOnlyCommands } from './remote/remote.program.js';
import { registerSyncCommands } from '../agents/agents-sync.command.js';
import { registerKeysCommands } from '../auth/keys.command.js';
import { registerBlocksCommands } from '../blocks/blocks.command.js';
import { registerDatabaseCommands } from '../database/database.command.js';
import { registerRunCommand } from '../agents/run.command.js';
import type { OpenDataSource } from '../database/data-source.js';
import { registerImportCommands } from '../importers/import.command.js';
import { registerCredentialsCommands } from '../integrations/credentials.command.js';
import type { CreditAccounts } from '../users/credit-accounts.types.js';

/** What the program needs from root files (src/entities.ts, src/main.ts), handed in by src/cli.ts. */
export interface RootParts {
  /** May load the entities when first called (src/cli.ts does), so commands that never connect load no TypeORM. */
  openDataSource: OpenDataSource;
  /** Starts the server (src/main.ts), loaded only when `trellis start` runs. */
  start: (args: string[]) => Promise<void>;
}

export function buildProgram({ openDataSource, start }: RootParts): Command {
  const program = new Command('trellis').description('Trellis: AI agents as code, validated, synced and run.').showHelpAfterError().enablePositionalOptions();

  program
    .command('start')
    .description('start the server (embedded Postgres when DATABASE_URL is unset; in-process dispatch when REDIS_URL is unset)')
    .option('--role <role>', 'api, worker or all (default: TRELLIS_ROLE or all)')
    .action(async (options: { role?: string }) => {
      await start(options.role ? ['--role', options.role] : []);
    });

  registerDatabaseCommands(program, openDataSource);
  registerKeysCommands(program, openDataSource, lazyCreditAccounts);
  registerCredentialsCommands(program, openDataSource);
  registerAgentCommands(program);
  registerAnalyzeCommand(program);
  registerSyncCommands(program, openDataSource);
  registerBlocksCommands(program);
  registerRunCommand(program);
  registerImportCommands(program);
  registerRemoteOnlyCommands(program);
  addRemoteFlagsToLocalCommands(program);
  return program;
}

/** The credits repository, loaded when `keys create` first opens an account (it makes the admin on a new database). */
const lazyCreditAccounts: CreditAccounts = {
  async openAccount(...args) {
    const { CreditsRepository } = await import('../credits/credits.repository.js');
    return new CreditsRepository().openAccount(...args);
  },
};
