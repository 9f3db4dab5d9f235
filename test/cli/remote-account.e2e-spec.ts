// The CLI's remote mode against a real booted server: connection (flags, environment, a wrong key, an
// unreachable server), keys, credentials and reviews of the key's own user, and the built `trellis` command.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { RemoteClient } from '../../src/cli/remote/remote-client.js';
import { credentialsSetCommand, remoteKeysCreateCommand, reviewsListCommand } from '../../src/cli/remote/remote-account.command.js';
import { executionsListCommand } from '../../src/cli/remote/remote-executions.command.js';
import { remoteClient, runRemote } from '../../src/cli/remote/remote-session.js';
import type { MadeUser } from '../auth/auth-helpers.js';
import type { TestApp } from '../helpers/app.js';
import { ensureBuilt, TRELLIS_BIN } from '../helpers/built.js';
import { capture, deadPort, startRemoteServer, type RemoteServer } from './remote-fixtures.js';

let remote: RemoteServer;
let t: TestApp;
let server: string;
let folder: string;
let alice: MadeUser;
let bob: MadeUser;
const client = (key: string) => remote.client(key);

describe('the remote CLI: account, keys, credentials and reviews', () => {
  beforeAll(async () => {
    remote = await startRemoteServer('remoteacct', true);
    ({ t, server, folder, alice, bob } = remote);
  });

  afterAll(() => remote?.close());

  describe('connection and keys', () => {
    it('a wrong key is a 401 that says what to do; a missing server or key is a command-line mistake', async () => {
      const io = capture(folder);
      expect(await runRemote(io, () => executionsListCommand(client('trl_wrong_key_0000000000000000'), { json: false }, io))).toBe(1);
      expect(io.stderr).toContain(`${server} refused the API key (401`);
      expect(io.stderr).toContain('TRELLIS_API_KEY');
      const none = capture(folder);
      expect(await runRemote(none, async () => executionsListCommand(remoteClient({}, none), { json: false }, none))).toBe(2);
      expect(none.stderr).toContain('--server <url> or TRELLIS_SERVER');
      const noKey = capture(folder, { TRELLIS_SERVER: server });
      expect(await runRemote(noKey, async () => executionsListCommand(remoteClient({}, noKey), { json: false }, noKey))).toBe(2);
      expect(noKey.stderr).toContain(`No API key for ${server}`);
    });

    it('the environment names the server and key when no flag does', async () => {
      const io = capture(folder, { TRELLIS_SERVER: `${server}/`, TRELLIS_API_KEY: alice.key });
      expect(await runRemote(io, async () => executionsListCommand(remoteClient({}, io), { json: true }, io))).toBe(0);
      expect(JSON.parse(io.stdout).items.every((e: { user_id: string }) => e.user_id === alice.user.id)).toBe(true);
    });

    it('an unreachable server is named, with what to do', async () => {
      const io = capture(folder);
      const dead = new RemoteClient({ server: `http://127.0.0.1:${await deadPort()}`, apiKey: alice.key });
      expect(await runRemote(io, () => executionsListCommand(dead, { json: false }, io))).toBe(1);
      expect(io.stderr).toMatch(/^Cannot reach the Trellis server at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\. Start it/);
    });

    it("keys create makes a working key for the key's own user, and refuses another user's handle", async () => {
      const io = capture(folder);
      expect(await runRemote(io, () => remoteKeysCreateCommand(client(alice.key), { name: 'laptop', scopes: 'executions:read' }, io))).toBe(0);
      const key = io.stdout.trim();
      expect(io.stderr).toContain('for alice with scopes executions:read');
      const me = await request(t.http).get('/api/executions').set('X-API-Key', key).expect(200);
      expect(me.body.items.every((e: { user_id: string }) => e.user_id === alice.user.id)).toBe(true);
      await request(t.http).post('/api/graphs/greeter/execute').set('X-API-Key', key).send({ inputs: {} }).expect(403);
      const other = capture(folder);
      expect(await runRemote(other, () => remoteKeysCreateCommand(client(alice.key), { name: 'x', user: 'bob' }, other))).toBe(2);
      expect(other.stderr).toContain('own user (alice), not for bob');
    });

    it('credentials set reads the secret from stdin, creates, then replaces; never from a terminal', async () => {
      const first = capture(folder, {}, 'sk-first-secret\n');
      expect(await runRemote(first, () => credentialsSetCommand(client(bob.key), 'my-openai', { provider: 'openai', type: 'api_key' }, first))).toBe(0);
      expect(first.stderr).toBe('created credential my-openai\n');
      const second = capture(folder, {}, 'sk-second-secret');
      expect(await runRemote(second, () => credentialsSetCommand(client(bob.key), 'my-openai', { type: 'api_key', hosts: 'api.openai.com' }, second))).toBe(0);
      expect(second.stderr).toBe('replaced the secret fields of credential my-openai\n');
      const listed = await request(t.http).get('/api/integrations/credentials').set('X-API-Key', bob.key).expect(200);
      expect(JSON.stringify(listed.body)).not.toContain('sk-');
      expect((await request(t.http).get('/api/integrations/credentials').set('X-API-Key', alice.key).expect(200)).body.items).toEqual([]);
      const tty = capture(folder, {}, null);
      expect(await runRemote(tty, () => credentialsSetCommand(client(bob.key), 'x', { provider: 'openai', type: 'api_key' }, tty))).toBe(2);
      expect(tty.stderr).toContain('Pipe the secret on stdin');
    });

    it('reviews list reads the reviews API as the key owner (none pending here)', async () => {
      expect((await request(t.http).get('/api/reviews').set('X-API-Key', alice.key)).status).toBe(200);
      const io = capture(folder);
      expect(await runRemote(io, () => reviewsListCommand(client(alice.key), undefined, false, io))).toBe(0);
      expect(io.stderr).toBe('no reviews\n');
    });
  });

  /** The built `trellis` (bin/trellis.js) as a child process; asynchronous, so this process's server answers it. */
  function trellis(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [TRELLIS_BIN, ...args], { cwd: folder, env: { PATH: process.env.PATH, TRELLIS_ENV: 'test', ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  }

  describe('the trellis command', () => {
    beforeAll(() => ensureBuilt(), 300_000);

    it('routes run --server to the server, and executions list with TRELLIS_SERVER/TRELLIS_API_KEY', async () => {
      const run = await trellis(['run', 'greeter', '--server', server, '--api-key', bob.key, '--input', 'who=Bin', '--watch']);
      expect(run).toMatchObject({ status: 0, stdout: 'greeting: Hello, Bin!\n' });
      const list = await trellis(['executions', 'list', '--json'], { TRELLIS_SERVER: server, TRELLIS_API_KEY: bob.key });
      expect(list.status).toBe(0);
      expect(JSON.parse(list.stdout).items.map((e: { inputs: unknown }) => e.inputs)).toContainEqual({ who: 'Bin' });
    }, 120_000);

    it('a wrong key and an unreachable server exit 1 with one clear line, no stack trace', async () => {
      const wrong = await trellis(['plan', '--server', server, '--api-key', 'nope']);
      expect(wrong.status).toBe(1);
      expect(wrong.stderr).toMatch(/^http:\/\/127\.0\.0\.1:\d+ refused the API key \(401/);
      const dead = await trellis(['executions', 'show', 'x', '--server', `http://127.0.0.1:${await deadPort()}`, '--api-key', 'k']);
      expect(dead.status).toBe(1);
      expect(dead.stderr).toMatch(/^Cannot reach the Trellis server at .*\n$/);
      expect(dead.stderr).not.toMatch(/\n\s+at /);
    }, 120_000);
  });
});
