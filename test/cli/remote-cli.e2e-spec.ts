// The CLI's remote mode against a real booted server listening on a port: an admin and two users with keys
// of their own, the agents folder the server syncs, and the bad paths (wrong key, unreachable server,
// unknown agent, another user's execution, a folder that differs from the server's).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { RemoteClient } from '../../src/cli/remote/remote-client.js';
import { credentialsSetCommand, remoteKeysCreateCommand, reviewsListCommand } from '../../src/cli/remote/remote-account.command.js';
import { pushCommand, remotePlanCommand, remoteSyncCommand } from '../../src/cli/remote/remote-agents.command.js';
import {
  executionsListCommand,
  executionsLogsCommand,
  executionsShowCommand,
  executionsStopCommand,
  remoteRunCommand,
} from '../../src/cli/remote/remote-executions.command.js';
import { watchExecution } from '../../src/cli/remote/execution-watch.js';
import { remoteClient, runRemote, type RemoteIo } from '../../src/cli/remote/remote-session.js';
import { ADMIN_KEY, makeUser, type MadeUser } from '../auth/auth-helpers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ensureBuilt, TRELLIS_BIN } from '../helpers/built.js';
import { waitFor } from '../helpers/wait.js';
import { agentText, lines, removeFolder, tempFolder, writeFile } from '../agents/sync-helpers.js';

const SLEEPER = lines(
  'name: sleeper',
  'nodes:',
  '  start: { block: input, inputs: { name: x, type: string, default: a } }',
  '  nap: { block: time.delay, inputs: { duration: 1h } }',
  '  done: { block: output, inputs: { name: done } }',
  'links:',
  '  - start.value -> nap.value',
  '  - nap.value -> done.value',
);
const BROKEN = lines(
  'name: broken',
  'nodes:',
  '  text: { block: input, inputs: { name: text, type: string, default: "{" } }',
  '  parse: { block: json.parse }',
  '  value: { block: output, inputs: { name: value } }',
  'links:',
  '  - text.value -> parse.text',
  '  - parse.value -> value.value',
);

interface Captured extends RemoteIo {
  stdout: string;
  stderr: string;
}

function capture(cwd: string, env: NodeJS.ProcessEnv = {}, stdin: string | null = null): Captured {
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

let t: TestApp;
let server: string;
let folder: string;
let alice: MadeUser;
let bob: MadeUser;

const client = (key: string) => new RemoteClient({ server, apiKey: key });

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}

beforeAll(async () => {
  folder = tempFolder('remote');
  writeFile(folder, 'agents/greeter.yaml', agentText('greeter'));
  writeFile(folder, 'agents/sleeper.yaml', SLEEPER);
  writeFile(folder, 'agents/broken.yaml', BROKEN);
  t = await createTestApp({ label: 'remotecli', listen: true, env: { AGENTS_DIR: `${folder}/agents` } });
  const address = t.http.address() as { port: number };
  server = `http://127.0.0.1:${address.port}`;
  alice = await makeUser(t, 'alice');
  bob = await makeUser(t, 'bob');
});

afterAll(async () => {
  await t?.close();
  removeFolder(folder);
});

describe('push, plan and sync', () => {
  it('push refuses a local folder with an invalid file, with file:line:col, and sends nothing', async () => {
    const local = tempFolder('remote-local');
    try {
      writeFile(local, 'agents/greeter.yaml', agentText('greeter'));
      writeFile(local, 'agents/bad.yaml', lines('name: bad', 'nodes:', '  t:', '    block: text.templat'));
      const io = capture(local);
      expect(await runRemote(io, () => pushCommand(client(ADMIN_KEY), undefined, 'markdown', io))).toBe(1);
      expect(io.stderr).toContain('agents/bad.yaml:4:12: unknown block "text.templat"');
      expect(io.stderr).toContain('nothing was sent');
      const graphs = await request(t.http).get('/api/graphs').set('X-API-Key', ADMIN_KEY).expect(200);
      expect(graphs.body.items).toEqual([]);
    } finally {
      removeFolder(local);
    }
  });

  it("push refuses when the server's folder differs from the local one, naming each agent", async () => {
    const local = tempFolder('remote-local');
    try {
      writeFile(local, 'agents/greeter.yaml', agentText('greeter', { template: 'Hi, {{ who }}!' }));
      writeFile(local, 'agents/sleeper.yaml', SLEEPER);
      const io = capture(local);
      expect(await runRemote(io, () => pushCommand(client(ADMIN_KEY), undefined, 'markdown', io))).toBe(1);
      expect(io.stderr).toContain("greeter: the server's greeter.yaml differs from yours");
      expect(io.stderr).toContain("broken: in the server's folder, not in yours");
      expect(io.stderr).toContain('Nothing was synced.');
      const graphs = await request(t.http).get('/api/graphs').set('X-API-Key', ADMIN_KEY).expect(200);
      expect(graphs.body.items).toEqual([]);
    } finally {
      removeFolder(local);
    }
  });

  it('a user key may plan but not push (403, said plainly)', async () => {
    const io = capture(folder);
    expect(await runRemote(io, () => remotePlanCommand(client(alice.key), 'json', io))).toBe(0);
    expect(JSON.parse(io.stdout).summary).toMatchObject({ create: 3, invalid: 0 });
    const push = capture(folder);
    expect(await runRemote(push, () => pushCommand(client(alice.key), undefined, 'markdown', push))).toBe(1);
    expect(push.stderr).toMatch(/may not do this \(403: .*admin/);
  });

  it('push of a folder that does not exist is a command-line mistake', async () => {
    const io = capture(folder);
    expect(await runRemote(io, () => pushCommand(client(ADMIN_KEY), 'nowhere', 'markdown', io))).toBe(2);
    expect(io.stderr).toBe('nowhere does not exist: give the agents folder (default ./agents, or AGENTS_DIR) or an agent file\n');
  });

  it('plan and sync --server refuse a local folder argument (the server plans its own folder)', async () => {
    const io = capture(folder);
    expect(await runRemote(io, () => remotePlanCommand(client(alice.key), 'markdown', io, 'agents'))).toBe(2);
    expect(io.stderr).toContain("With --server, plan works on the server's own agents folder, not agents");
    expect(io.stdout).toBe('');
  });

  it('push validates, checks and syncs the same folder as an admin; a second sync changes nothing', async () => {
    const io = capture(folder);
    expect(await runRemote(io, () => pushCommand(client(ADMIN_KEY), undefined, 'markdown', io))).toBe(0);
    expect(io.stdout).toContain('## Trellis agents plan');
    expect(io.stderr).toContain(`on ${server}: 3 created, 0 updated`);
    const again = capture(folder);
    expect(await runRemote(again, () => remoteSyncCommand(client(ADMIN_KEY), 'json', again))).toBe(0);
    expect(JSON.parse(again.stdout).summary).toMatchObject({ create: 0, unchanged: 3 });
  });
});

describe('run and executions, as two users', () => {
  let aliceRun: string;

  it('run --watch follows the execution to its end, printing node lines and the outputs (exit 0)', async () => {
    const io = capture(folder);
    const status = await runRemote(io, () => remoteRunCommand(client(alice.key), 'greeter', { input: ['who=Ada'], watch: true, json: false }, io));
    expect(status).toBe(0);
    expect(io.stdout).toBe('greeting: Hello, Ada!\n');
    expect(io.stderr).toMatch(/greet \(text\.template\) COMPLETED/);
    expect(io.stderr).toMatch(/execution \S+ COMPLETED in \d+ ms, cost \d+\n/);
    aliceRun = /execution (\S+) of greeter/.exec(io.stderr)![1]!;
  });

  it('run --watch exits 1 when the execution fails, with the error', async () => {
    const io = capture(folder);
    expect(await runRemote(io, () => remoteRunCommand(client(bob.key), 'broken', { input: [], watch: true, json: false }, io))).toBe(1);
    expect(io.stderr).toMatch(/execution \S+ FAILED/);
    expect(io.stderr).toMatch(/parse \(json\.parse\) FAILED/);
  });

  it('polls the REST API when the WebSocket is not there', async () => {
    const started = await request(t.http)
      .post('/api/graphs/greeter/execute')
      .set('X-API-Key', alice.key)
      .send({ inputs: { who: 'Poll' } })
      .expect(202);
    const port = await deadPort();
    const noSocket = new (class extends RemoteClient {
      override websocketUrl(): string {
        return `ws://127.0.0.1:${port}/ws`;
      }
    })({ server, apiKey: alice.key });
    const seen: string[] = [];
    const result = await watchExecution(noSocket, started.body.id, { onNode: (node) => seen.push(`${node.node_id} ${node.status}`), pollMs: 50 });
    expect(result).toMatchObject({ ended: true, execution: { status: 'COMPLETED', outputs: { greeting: ['Hello, Poll!'] } } });
    expect(seen).toContain('greet COMPLETED');
  });

  it("a user lists and sees only their own executions; an admin sees everyone's", async () => {
    const bobList = capture(folder);
    expect(await runRemote(bobList, () => executionsListCommand(client(bob.key), { json: true }, bobList))).toBe(0);
    const bobIds = (JSON.parse(bobList.stdout) as { items: Array<{ id: string; graph_id: string }> }).items;
    expect(bobIds.map((e) => e.graph_id)).toEqual(['broken']);
    const adminList = capture(folder);
    expect(await runRemote(adminList, () => executionsListCommand(client(ADMIN_KEY), { json: false }, adminList))).toBe(0);
    expect(adminList.stdout).toContain(aliceRun);
    expect(adminList.stdout).toContain(bobIds[0]!.id);

    const show = capture(folder);
    expect(await runRemote(show, () => executionsShowCommand(client(bob.key), aliceRun, false, show))).toBe(1);
    expect(show.stderr).toMatch(new RegExp(`^execution ${aliceRun}: .*\\(404 from ${server.replace(/\./g, '\\.')}\\)\n$`));
    const logs = capture(folder);
    expect(await runRemote(logs, () => executionsLogsCommand(client(alice.key), aliceRun, false, logs))).toBe(0);
    expect(logs.stdout).toMatch(/greet \(text\.template\) COMPLETED\n {4}attempt 1 /);
    expect(logs.stdout).toContain('    text: Hello, Ada!');
  });

  it('stop ends a waiting execution; another user cannot stop it', async () => {
    const io = capture(folder);
    expect(await runRemote(io, () => remoteRunCommand(client(alice.key), 'sleeper', { input: [], watch: false, json: false }, io))).toBe(0);
    const id = io.stdout.trim();
    await waitFor(
      async () => (await request(t.http).get(`/api/executions/${id}`).set('X-API-Key', alice.key)).body.status,
      (status) => status === 'RUNNING',
      { what: 'the sleeper running' },
    );
    const bobStop = capture(folder);
    expect(await runRemote(bobStop, () => executionsStopCommand(client(bob.key), id, bobStop))).toBe(1);
    const stop = capture(folder);
    expect(await runRemote(stop, () => executionsStopCommand(client(alice.key), id, stop))).toBe(0);
    expect(stop.stdout).toBe('CANCELLED\n');
    expect((await request(t.http).get(`/api/executions/${id}`).set('X-API-Key', alice.key)).body.status).toBe('CANCELLED');
  });

  it('an unknown agent, a file instead of a name, and a bad --input are clear refusals', async () => {
    const unknown = capture(folder);
    expect(await runRemote(unknown, () => remoteRunCommand(client(alice.key), 'nope', { input: [], watch: true, json: false }, unknown))).toBe(1);
    expect(unknown.stderr).toMatch(/^agent nope: .*nope.*\(404 from /);
    const file = capture(folder);
    expect(await runRemote(file, () => remoteRunCommand(client(alice.key), 'agents/greeter.yaml', { input: [], watch: false, json: false }, file))).toBe(2);
    expect(file.stderr).toContain('name the agent as the server knows it');
    const input = capture(folder);
    expect(await runRemote(input, () => remoteRunCommand(client(alice.key), 'greeter', { input: ['who'], watch: false, json: false }, input))).toBe(2);
    expect(input.stderr).toContain('is not name=value');
  });
});

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

  it('reviews list says plainly when the server has no reviews API', async () => {
    const probe = await request(t.http).get('/api/reviews').set('X-API-Key', alice.key);
    const io = capture(folder);
    const status = await runRemote(io, () => reviewsListCommand(client(alice.key), undefined, false, io));
    if (probe.status === 404) {
      expect(status).toBe(1);
      expect(io.stderr).toBe(`${server} has no reviews API (GET /api/reviews): it runs a release without human.review. Upgrade the server.\n`);
    } else {
      expect(status).toBe(0);
    }
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
