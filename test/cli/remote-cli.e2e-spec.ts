// The CLI's remote mode against a real booted server listening on a port: push, plan, sync, run --watch
// and executions, for an admin and two users with keys of their own, and the bad paths (another user's
// execution, an unknown agent, a folder that differs from the server's, an invalid file).
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { RemoteClient } from '../../src/cli/remote/remote-client.js';
import { pushCommand, remotePlanCommand, remoteSyncCommand } from '../../src/cli/remote/remote-agents.command.js';
import {
  executionsListCommand,
  executionsLogsCommand,
  executionsRestartCommand,
  executionsShowCommand,
  executionsStopCommand,
  remoteRunCommand,
} from '../../src/cli/remote/remote-executions.command.js';
import { watchExecution } from '../../src/cli/remote/execution-watch.js';
import { buildRemoteProgram } from '../../src/cli/remote/remote.program.js';
import { runRemote } from '../../src/cli/remote/remote-session.js';
import { ADMIN_KEY, type MadeUser } from '../auth/auth-helpers.js';
import { agentText, lines, removeFolder, tempFolder, writeFile } from '../agents/sync-helpers.js';
import type { TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { capture, deadPort, SLEEPER, startRemoteServer, type RemoteServer } from './remote-fixtures.js';

let remote: RemoteServer;
let t: TestApp;
let server: string;
let folder: string;
let alice: MadeUser;
let bob: MadeUser;
const client = (key: string) => remote.client(key);

describe('the remote CLI: agents and executions', () => {
  beforeAll(async () => {
    remote = await startRemoteServer('remotecli', false);
    ({ t, server, folder, alice, bob } = remote);
  });

  afterAll(() => remote?.close());

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

    it('executions retry starts a retry from the failure of a failed execution; --latest; not of a completed one or of another user', async () => {
      const failed = capture(folder);
      expect(await runRemote(failed, () => remoteRunCommand(client(bob.key), 'broken', { input: [], watch: true, json: false }, failed))).toBe(1);
      const original = /execution (\S+) of broken/.exec(failed.stderr)![1]!;
      const retry = capture(folder);
      expect(await runRemote(retry, () => executionsRestartCommand(client(bob.key), original, 'retry', undefined, retry))).toBe(0);
      const retryId = retry.stdout.trim();
      expect(retry.stderr).toBe(`execution ${retryId} (retry of ${original}) is QUEUED\n`);
      const started = await request(t.http).get(`/api/executions/${retryId}`).set('X-API-Key', bob.key).expect(200);
      expect(started.body).toMatchObject({ source: 'retry', retry_of: original, graph_id: 'broken', user_id: bob.user.id });
      const latest = capture(folder);
      expect(await runRemote(latest, () => executionsRestartCommand(client(bob.key), original, 'retry', 'latest', latest))).toBe(0);
      const latestRow = await request(t.http).get(`/api/executions/${latest.stdout.trim()}`).set('X-API-Key', bob.key).expect(200);
      expect(latestRow.body).toMatchObject({ source: 'retry', retry_of: original });

      // `trellis executions retry <id> --latest` as typed: the flag reaches the API as version latest.
      const out: string[] = [];
      const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
      const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
      process.exitCode = 0;
      try {
        await buildRemoteProgram().parseAsync(['executions', 'retry', original, '--latest', '--server', server, '--api-key', bob.key], { from: 'user' });
      } finally {
        stdout.mockRestore();
        stderr.mockRestore();
      }
      expect(process.exitCode).toBe(0);
      const typed = await request(t.http)
        .get(`/api/executions/${out.join('').trim()}`)
        .set('X-API-Key', bob.key)
        .expect(200);
      expect(typed.body).toMatchObject({ source: 'retry', retry_of: original });

      const others = capture(folder);
      expect(await runRemote(others, () => executionsRestartCommand(client(alice.key), original, 'retry', undefined, others))).toBe(1);
      expect(others.stderr).toMatch(/\(404 from /);
      const completed = capture(folder);
      expect(await runRemote(completed, () => executionsRestartCommand(client(alice.key), aliceRun, 'retry', undefined, completed))).toBe(1);
      expect(completed.stderr).toMatch(/only a FAILED or CANCELLED execution can be retried.*\(409 from /);
      const bad = capture(folder);
      expect(await runRemote(bad, () => executionsRestartCommand(client(bob.key), original, 'retry', 'newest', bad))).toBe(2);
      expect(bad.stderr).toContain('--version must be same or latest, got "newest"');
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
});
