// Which command lines go to a running server: `push`, `executions`, `reviews`, `propose` and `credentials set`
// always; `plan`, `sync`, `run` and `keys create` when --server or TRELLIS_SERVER names one. Decided
// before any command module loads, so those lines never load the local CLI's database or block code.
import { serverFromEnvironment } from '../../config/remote-target.js';

/** Commands with a local and a remote form (paths of command names). */
export const DUAL_COMMANDS = ['plan', 'sync', 'run', 'keys create'];
const REMOTE_ONLY = ['push', 'executions', 'reviews', 'propose', 'credentials set'];

/** The command path of a command line (`keys create`, `executions`), skipping options. */
function commandPath(args: readonly string[]): string[] {
  return args.filter((arg) => !arg.startsWith('-')).slice(0, 2);
}

function matches(path: string[], command: string): boolean {
  const words = command.split(' ');
  return words.every((word, i) => path[i] === word);
}

export function remoteRoute(args: readonly string[], env: NodeJS.ProcessEnv): boolean {
  const path = commandPath(args);
  if (REMOTE_ONLY.some((command) => matches(path, command))) return true;
  if (!DUAL_COMMANDS.some((command) => matches(path, command))) return false;
  return serverFromEnvironment(env) || args.some((arg) => arg === '--server' || arg.startsWith('--server='));
}
