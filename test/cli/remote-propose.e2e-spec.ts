// `trellis propose <agent>` against a real listening server whose agents folder is a clone of a bare repository,
// and the local GitHub API server the GitOps tests use: the pull request opened, and each refusal one clear line.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { FakeGithub } from '../../bench/github-api.js';
import { parseAgentYaml } from '../../src/agent-format/agent.parser.js';
import { AgentsPlanService } from '../../src/agents/agents-plan.service.js';
import { RemoteClient } from '../../src/cli/remote/remote-client.js';
import { proposeCommand } from '../../src/cli/remote/remote-propose.command.js';
import { runRemote } from '../../src/cli/remote/remote-session.js';
import { ADMIN_KEY, makeKey, makeUser, type MadeUser } from '../auth/auth-helpers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ensureBuilt, TRELLIS_BIN } from '../helpers/built.js';
import { git, gitRepos, type GitRepos } from '../triggers/gitops-helpers.js';
import { cronAgentYaml } from '../triggers/schedules-helpers.js';
import { capture } from './remote-fixtures.js';

const pullUrl = (number: number) => `https://github.com/acme/agents/pull/${number}`;

const graph = (name: string) => ({
  name,
  nodes: {
    who: { block: 'input', inputs: { name: 'who', type: 'string', default: 'world' } },
    greet: { block: 'text.template', inputs: { template: 'Hello {{ who }}' } },
    out: { block: 'output', inputs: { name: 'greeting' } },
  },
  links: ['who.value -> greet.values.who', 'greet.text -> out.value'],
});

describe('trellis propose', () => {
  let t: TestApp;
  let repos: GitRepos;
  let github: FakeGithub;
  let server: string;
  let alice: MadeUser;
  let bob: MadeUser;
  const client = (key: string, at = server) => new RemoteClient({ server: at, apiKey: key });
  const propose = async (key: string, agent: string, json = false, at = server) => {
    const io = capture(repos.root);
    const status = await runRemote(io, () => proposeCommand(client(key, at), agent, json, io));
    return { status, stdout: io.stdout, stderr: io.stderr };
  };

  beforeAll(async () => {
    repos = gitRepos({ 'agents/first.yaml': cronAgentYaml('first', '0 7 * * *') });
    github = new FakeGithub('acme/agents', repos.bare, { ghp_test: 'trellis-bot' });
    const baseUrl = await github.listen();
    process.env.GITHUB_TOKEN = 'ghp_test';
    t = await createTestApp({
      label: 'cli-propose',
      listen: true,
      env: { AGENTS_DIR: join(repos.server, 'agents'), TRELLIS_ADMIN_API_KEY: ADMIN_KEY },
      overrides: {
        credits: { enabled: false },
        gitops: { repository: 'acme/agents', branch: 'main', folder: 'agents' },
        integrations: { github: { base_url: baseUrl } },
      },
    });
    server = `http://127.0.0.1:${(t.http.address() as { port: number }).port}`;
    await request(t.http).post('/api/agents/sync').set('X-API-Key', ADMIN_KEY).expect(200);
    alice = await makeUser(t, 'alice');
    bob = await makeUser(t, 'bob');
    await request(t.http).post('/api/graphs').set('X-API-Key', alice.key).send(graph('alices-graph')).expect(201);
  });
  afterAll(async () => {
    delete process.env.GITHUB_TOKEN;
    await t?.close();
    await github?.close();
    repos?.cleanup();
  });

  it('opens a pull request with the graph as an agent file and prints its URL; the branch, file and number on stderr', async () => {
    const { status, stdout, stderr } = await propose(alice.key, 'alices-graph');
    expect(status).toBe(0);
    const opened = github.opened.find((p) => p.title === 'Add agent alices-graph from the API')!;
    expect(opened).toMatchObject({ base: 'main', head: expect.stringMatching(/^trellis\/propose-alices-graph-/) });
    expect(stdout).toBe(`${pullUrl(opened.number)}\n`);
    expect(stderr).toBe(`proposed alices-graph v1 as agents/alices-graph.yaml on branch ${opened.head}: pull request #${opened.number}\n`);
    const text = git(repos.bare, 'show', `${opened.head}:agents/alices-graph.yaml`);
    const { report } = await t.app
      .get(AgentsPlanService)
      .validate([parseAgentYaml(text, 'agents/alices-graph.yaml')], { defaultOwner: 'admin', callable: () => true });
    expect(report.results[0]!.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('--json prints the API answer', async () => {
    await request(t.http).post('/api/graphs').set('X-API-Key', ADMIN_KEY).send(graph('admins-graph')).expect(201);
    const { status, stdout, stderr } = await propose(ADMIN_KEY, 'admins-graph', true);
    expect([status, stderr]).toEqual([0, '']);
    const answer = JSON.parse(stdout);
    expect(answer).toMatchObject({
      graph: 'admins-graph',
      version: 1,
      file: 'agents/admins-graph.yaml',
      branch: expect.stringMatching(/^trellis\/propose-admins-graph-/),
    });
    expect(github.opened.find((p) => p.number === answer.pull_request.number)).toMatchObject({ head: answer.branch });
    expect(answer.pull_request.url).toBe(pullUrl(answer.pull_request.number));
  });

  it('an unknown agent, and another user’s graph, are not found (exit 1, nothing opened)', async () => {
    const before = github.opened.length;
    const unknown = await propose(alice.key, 'nobody');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe(
      `agent nobody: No graph "nobody" exists, or you may not see it. List the graphs you can see with GET /api/graphs. (404 from ${server})\n`,
    );
    const others = await propose(bob.key, 'alices-graph');
    expect(others.status).toBe(1);
    expect(others.stderr).toContain('agent alices-graph: No graph "alices-graph" exists, or you may not see it.');
    expect(github.opened.length).toBe(before);
  });

  it('a file agent is refused with where to change it; a file name is a command-line mistake', async () => {
    const file = await propose(ADMIN_KEY, 'first');
    expect(file.status).toBe(1);
    expect(file.stderr).toBe(`Graph "first" already comes from an agent file (first.yaml); change that file instead. (409 from ${server})\n`);
    const path = await propose(ADMIN_KEY, 'agents/first.yaml');
    expect(path.status).toBe(2);
    expect(path.stderr).toContain('Name the API graph as the server knows it');
  });

  it('a key without graphs:write is refused (403), naming what to do', async () => {
    const reader = await makeKey(t, alice.key, ['graphs:read']);
    const { status, stderr } = await propose(reader.key, 'alices-graph');
    expect(status).toBe(1);
    expect(stderr).toMatch(
      new RegExp(`^${server.replace(/[.]/g, '\\.')} says the API key may not do this \\(403: .*\\)\\. Use a key with that scope, or ask an admin\\.\\n$`),
    );
  });

  it('a server without GitOps says how to set it up, not to try again', async () => {
    const bare = await createTestApp({ label: 'cli-propose-nogitops', database: t.database, listen: true, overrides: { credits: { enabled: false } } });
    try {
      const at = `http://127.0.0.1:${(bare.http.address() as { port: number }).port}`;
      const answer = await request(bare.http).post('/api/graphs/alices-graph/propose').set('X-API-Key', alice.key).expect(503);
      expect(answer.body.error).toMatchObject({ code: 'GITOPS_NOT_CONFIGURED', message: expect.stringContaining('gitops.repository is not set') });
      const { status, stderr } = await propose(alice.key, 'alices-graph', false, at);
      expect(status).toBe(1);
      expect(stderr).toBe(
        `${at} cannot open pull requests: Proposals need the agents repository on GitHub: gitops.repository is not set. Its operator sets up GitOps (gitops.repository, and GITHUB_TOKEN or a GitHub App): README, "Running Trellis with GitOps".\n`,
      );
    } finally {
      await bare.close();
    }
  });

  it('the built trellis command routes propose to the server', async () => {
    await ensureBuilt();
    await request(t.http).post('/api/graphs').set('X-API-Key', bob.key).send(graph('bobs-graph')).expect(201);
    const child = spawn(process.execPath, [TRELLIS_BIN, 'propose', 'bobs-graph', '--server', server, '--api-key', bob.key], {
      cwd: repos.root,
      env: { PATH: process.env.PATH, TRELLIS_ENV: 'test' },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
    const status = await new Promise((resolve) => child.on('close', resolve));
    expect(status).toBe(0);
    expect(stdout).toBe(`${pullUrl(github.opened.find((p) => p.title === 'Add agent bobs-graph from the API')!.number)}\n`);
  }, 300_000);
});
