// What every remote command shares: its streams, the server and key it talks to (flags, else
// TRELLIS_SERVER / TRELLIS_API_KEY), and one way to turn a refusal into a message and an exit status.
import type { CliIo } from '../../agents/agents.command.js';
import { processEnvironment } from '../../config/environment.js';
import { remoteSettings, type RemoteFlags } from '../../config/remote-target.js';
import { RemoteClient, RemoteError } from './remote-client.js';

export interface RemoteIo extends CliIo {
  /** Everything piped on stdin; null when stdin is a terminal (secrets are never typed in the clear). */
  readStdin(): Promise<string | null>;
}

/** The process's own streams, folder and environment (the remote commands load nothing of the local CLI). */
export const processRemoteIo = (): RemoteIo => ({
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: processEnvironment(),
  async readStdin() {
    if (process.stdin.isTTY) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return Buffer.concat(chunks).toString('utf8');
  },
});

/** A mistake on the command line (exit 2), as opposed to a refusal by the server (exit 1). */
export class UsageError extends Error {}

export function remoteClient(flags: RemoteFlags, io: CliIo, fetchFn?: typeof fetch): RemoteClient {
  const settings = remoteSettings(flags, io.env);
  if (!settings.server) throw new UsageError('This command talks to a running Trellis server: give its address with --server <url> or TRELLIS_SERVER.');
  let url: URL;
  try {
    url = new URL(settings.server);
  } catch {
    throw new UsageError(`--server / TRELLIS_SERVER must be a URL such as http://127.0.0.1:3000, got "${settings.server}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--server / TRELLIS_SERVER must be an http:// or https:// URL, got "${settings.server}".`);
  if (!settings.apiKey)
    throw new UsageError(
      `No API key for ${settings.server}: give one with --api-key or TRELLIS_API_KEY (create one with \`trellis keys create --user <handle>\` on the server's machine).`,
    );
  return new RemoteClient({ server: settings.server, apiKey: settings.apiKey }, fetchFn);
}

/** Runs a remote command: its exit status, or the message of a refusal (1) or a command-line mistake (2). */
export async function runRemote(io: CliIo, work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n`);
      return 2;
    }
    if (error instanceof RemoteError) {
      io.err(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A value on one line, shortened for a terminal. */
export function brief(value: unknown, limit = 120): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}
