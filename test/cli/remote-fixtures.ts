// Helpers of the remote CLI tests: a real server listening on a port, with an agents folder it syncs,
// two users besides the admin, streams to capture what a command prints, and a port nothing listens on.
import { createServer } from 'node:net';
import request from 'supertest';
import { RemoteClient } from '../../src/cli/remote/remote-client.js';
import type { RemoteIo } from '../../src/cli/remote/remote-session.js';
import { ADMIN_KEY, makeUser, type MadeUser } from '../auth/auth-helpers.js';
import { agentText, lines, removeFolder, tempFolder, writeFile } from '../agents/sync-helpers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

export const SLEEPER = lines(
  'name: sleeper',
  'nodes:',
  '  start: { block: input, inputs: { name: x, type: string, default: a } }',
  '  nap: { block: time.delay, inputs: { duration: 1h } }',
  '  done: { block: output, inputs: { name: done } }',
  'links:',
  '  - start.value -> nap.value',
  '  - nap.value -> done.value',
);
export const BROKEN = lines(
  'name: broken',
  'nodes:',
  '  text: { block: input, inputs: { name: text, type: string, default: "{" } }',
  '  parse: { block: json.parse }',
  '  value: { block: output, inputs: { name: value } }',
  'links:',
  '  - text.value -> parse.text',
  '  - parse.value -> value.value',
);

export interface Captured extends RemoteIo {
  stdout: string;
  stderr: string;
}

export function capture(cwd: string, env: NodeJS.ProcessEnv = {}, stdin: string | null = null): Captured {
  const io: Captured = {
    stdout: '',
    stderr: '',
    out: (text) => void (io.stdout += text),
    err: (text) => void (io.stderr += text),
    cwd,
    env,
    readStdin: async () => stdin,
  };
  return io;
}

/** A port nothing listens on. */
export async function deadPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}

export interface RemoteServer {
  t: TestApp;
  /** http://127.0.0.1:<port> */
  server: string;
  /** Holds agents/ (greeter, sleeper, broken): the server's agents folder. */
  folder: string;
  alice: MadeUser;
  bob: MadeUser;
  client(key: string): RemoteClient;
  close(): Promise<void>;
}

/** A listening server on its own database and agents folder, with users alice and bob; `synced` applies the folder first. */
export async function startRemoteServer(label: string, synced: boolean): Promise<RemoteServer> {
  const folder = tempFolder(label);
  writeFile(folder, 'agents/greeter.yaml', agentText('greeter'));
  writeFile(folder, 'agents/sleeper.yaml', SLEEPER);
  writeFile(folder, 'agents/broken.yaml', BROKEN);
  const t = await createTestApp({ label, listen: true, env: { AGENTS_DIR: `${folder}/agents` } });
  const address = t.http.address() as { port: number };
  const server = `http://127.0.0.1:${address.port}`;
  if (synced) await request(t.http).post('/api/agents/sync').set('X-API-Key', ADMIN_KEY).expect(200);
  return {
    t,
    server,
    folder,
    alice: await makeUser(t, 'alice'),
    bob: await makeUser(t, 'bob'),
    client: (key) => new RemoteClient({ server, apiKey: key }),
    async close() {
      await t.close();
      removeFolder(folder);
    },
  };
}
