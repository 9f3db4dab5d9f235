// The one entry point: `node dist/src/main.js [--role api|worker|all]` (or TRELLIS_ROLE).
import 'reflect-metadata';
import { startServer } from './bootstrap.js';
import { ConfigError } from './config/config.loader.js';
import { EmbeddedDatabaseBusyError } from './database/embedded.js';

function roleFromArgs(argv: string[]): 'api' | 'worker' | 'all' | undefined {
  const index = argv.findIndex((a) => a === '--role' || a.startsWith('--role='));
  if (index < 0) return undefined;
  const value = argv[index]!.includes('=') ? argv[index]!.split('=')[1] : argv[index + 1];
  if (value !== 'api' && value !== 'worker' && value !== 'all') {
    console.error(`--role must be api, worker or all (got "${value ?? ''}")`);
    process.exit(2);
  }
  return value;
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  try {
    await startServer({ role: roleFromArgs(argv) });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    if (error instanceof EmbeddedDatabaseBusyError) {
      console.error(`Trellis could not start: ${error.message}`);
      process.exit(1);
    }
    console.error('Trellis could not start:', error instanceof Error ? error.stack : error);
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
