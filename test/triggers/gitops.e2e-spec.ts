// The GitOps loop with a personal token, against a real bare repository and a local GitHub API that reads
// its trees and blobs: a push checks out the branch tip (even when an older push is delivered late) and
// syncs, and reports skipped files (log, commit status, sync history); overlapping pull-request deliveries
// leave one comment, by us, showing the newest head, updated when the pull request stops touching the folder;
// an API graph's proposal, merged and pushed, syncs as a file agent in the API graph's place.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { FakeGithub } from '../../bench/github-api.js';
import { hashAgent } from '../../src/agent-format/agent.canonical.js';
import { parseAgentYaml } from '../../src/agent-format/agent.parser.js';
import { AgentsPlanService } from '../../src/agents/agents-plan.service.js';
import { GithubEventListeners } from '../../src/triggers/github/github-events.js';
import { COMMENT_MARKER } from '../../src/triggers/gitops/gitops-comment.js';
import { GitopsService } from '../../src/triggers/gitops/gitops.service.js';
import { ADMIN_KEY, makeKey, makeUser } from '../auth/auth-helpers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { git, gitRepos, type GitRepos } from './gitops-helpers.js';
import { cronAgentYaml } from './schedules-helpers.js';

const INVALID = 'name: nightly\nnodes:\n  x:\n    block: text.templat\n';

describe('gitops with a token', () => {
  let t: TestApp;
  let repos: GitRepos;
  let github: FakeGithub;

  beforeAll(async () => {
    repos = gitRepos({ 'agents/first.yaml': cronAgentYaml('first', '0 7 * * *'), 'README.md': 'agents live here\n' });
    github = new FakeGithub('acme/agents', repos.bare, { ghp_test: 'trellis-bot', ghp_mallory: 'mallory' });
    const baseUrl = await github.listen();
    // The GitOps loop reads the GITHUB_TOKEN system credential from the process environment, as in production.
    process.env.GITHUB_TOKEN = 'ghp_test';
    t = await createTestApp({
      label: 'gitops',
      env: { AGENTS_DIR: join(repos.server, 'agents'), TRELLIS_ADMIN_API_KEY: ADMIN_KEY },
      captureLogs: { level: 'info', logger: 'plain' },
      overrides: {
        credits: { enabled: false },
        gitops: { repository: 'acme/agents', branch: 'main', folder: 'agents' },
        integrations: { github: { base_url: baseUrl } },
      },
    });
  });
  afterAll(async () => {
    delete process.env.GITHUB_TOKEN;
    await t?.close();
    await github?.close();
    repos?.cleanup();
  });

  const publish = (event: 'push' | 'pull_request', action: string | null, payload: Record<string, unknown>) =>
    t.app.get(GithubEventListeners).publish({ event, action, delivery_id: `d-${Math.random()}`, repository: 'acme/agents', payload });
  const activeCommits = async () =>
    (await t.dataSource.query(
      `SELECT g.id, v.commit FROM graphs g JOIN graph_versions v ON v.graph_id = g.id AND v.version = g.active_version WHERE g.active ORDER BY g.id`,
    )) as Array<{ id: string; commit: string }>;

  it('syncs the branch tip on a push, ignores other branches and repositories, and a late older push leaves the tip checked out', async () => {
    const service = t.app.get(GitopsService);
    const older = repos.commit({ 'agents/nightly.yaml': cronAgentYaml('nightly', '0 2 * * *') }, 'nightly');
    expect(
      await service.handle({ event: 'push', action: null, delivery_id: 'x', repository: 'acme/other', payload: { ref: 'refs/heads/main', after: older } }),
    ).toEqual({ handled: false, reason: 'not the agents repository' });
    expect(
      await service.handle({ event: 'push', action: null, delivery_id: 'x', repository: 'acme/agents', payload: { ref: 'refs/heads/dev', after: older } }),
    ).toMatchObject({ handled: false });
    expect(await activeCommits()).toEqual([]);

    const newer = repos.commit({ 'agents/nightly.yaml': cronAgentYaml('nightly', '0 3 * * *') }, 'nightly at three');
    await publish('push', null, { ref: 'refs/heads/main', after: newer });
    // The delivery of the older push arrives last: the checkout and the database stay on the tip.
    await publish('push', null, { ref: 'refs/heads/main', after: older });
    expect(git(repos.server, 'rev-parse', 'HEAD')).toBe(newer);
    expect(await activeCommits()).toEqual([
      { id: 'first', commit: newer },
      { id: 'nightly', commit: newer },
    ]);
    expect(github.statuses.filter((s) => s.sha === newer)).toEqual([
      expect.objectContaining({ state: 'success', context: 'trellis/agents-sync', description: expect.stringContaining('Synced') }),
      expect.objectContaining({ state: 'success', context: 'trellis/agents-sync' }),
    ]);
  });

  it('reports a skipped invalid file on the pushed commit, in the log and in GET /api/agents/sync, and keeps the last good version', async () => {
    const bad = repos.commit({ 'agents/nightly.yaml': INVALID }, 'break nightly');
    await publish('push', null, { ref: 'refs/heads/main', after: bad });
    const status = github.statuses.filter((s) => s.sha === bad);
    expect(status).toEqual([
      { sha: bad, state: 'failure', context: 'trellis/agents-sync', description: 'Synced; 1 invalid file skipped: agents/nightly.yaml' },
    ]);
    const line = t.logs().find((l) => typeof l.msg === 'string' && l.msg.startsWith('gitops: agents/nightly.yaml:4:'));
    expect(line?.msg).toMatch(/^gitops: agents\/nightly\.yaml:4:\d+ skipped \(last good version kept\): .*text\.templat/);
    // The last good version of nightly stays active.
    expect((await activeCommits()).find((g) => g.id === 'nightly')?.commit).not.toBe(bad);
    // GET /api/agents/sync: the push is the newest sync, with the skipped file and its problem, and the
    // last result of every file (nightly invalid at that commit, first unchanged).
    const history = await request(t.http).get('/api/agents/sync?limit=1').set('X-API-Key', ADMIN_KEY).expect(200);
    expect(history.body.folder).toBe('acme/agents#agents');
    expect(history.body.runs).toHaveLength(1);
    expect(history.body.last).toMatchObject({
      commit: bad,
      trigger: 'push',
      status: 'applied',
      reason: null,
      files: [
        {
          file: 'nightly.yaml',
          agent: 'nightly',
          action: 'invalid',
          problems: [expect.objectContaining({ line: 4, severity: 'error', message: expect.stringContaining('text.templat') })],
        },
      ],
    });
    expect(history.body.files).toEqual([
      expect.objectContaining({ file: 'first.yaml', agent: 'first', action: 'unchanged', commit: bad, run_id: history.body.last.id }),
      expect.objectContaining({ file: 'nightly.yaml', agent: 'nightly', action: 'invalid', commit: bad, problems: [expect.objectContaining({ line: 4 })] }),
    ]);
    await request(t.http).get('/api/agents/sync?limit=0').set('X-API-Key', ADMIN_KEY).expect(400);
    // Like the plan it needs graphs:read: no key is 401, a key without the scope 403.
    await request(t.http).get('/api/agents/sync').expect(401);
    const carol = await makeUser(t, 'carol');
    await request(t.http).get('/api/agents/sync').set('X-API-Key', carol.key).expect(200);
    const { key: narrow } = await makeKey(t, carol.key, ['executions:read']);
    expect((await request(t.http).get('/api/agents/sync').set('X-API-Key', narrow).expect(403)).body.error.code).toBe('FORBIDDEN');
    repos.commit({ 'agents/nightly.yaml': cronAgentYaml('nightly', '0 3 * * *') }, 'fix nightly');
  });

  it('leaves one comment showing the newest head when deliveries of one pull request overlap, recognised by marker and author', async () => {
    const base = git(repos.author, 'rev-parse', 'origin/main');
    repos.branch('feature', base);
    const first = repos.commit({ 'agents/fresh.yaml': cronAgentYaml('fresh', '*/5 * * * *') }, 'fresh', 'feature');
    const second = repos.commit({ 'agents/nightly.yaml': INVALID }, 'break nightly', 'feature');
    repos.pullRef(7, second);
    github.pulls.set(7, { number: 7, state: 'open', head: { sha: second, ref: 'feature' }, base: { sha: base, ref: 'main' } });
    // Someone else pasted our marker: their comment is not ours, never edited.
    github.comments.push({ id: 1, issue: 7, body: `${COMMENT_MARKER}\nnot from trellis`, user: { login: 'mallory', type: 'User' } });

    await Promise.all([
      publish('pull_request', 'opened', { number: 7, pull_request: { number: 7, head: { sha: first } } }),
      publish('pull_request', 'synchronize', { number: 7, pull_request: { number: 7, head: { sha: second } } }),
      publish('pull_request', 'synchronize', { number: 7, pull_request: { number: 7, head: { sha: first } } }),
    ]);
    const ours = github.comments.filter((c) => c.issue === 7 && c.user.login === 'trellis-bot');
    expect(ours).toHaveLength(1);
    expect(ours[0]!.body).toContain(COMMENT_MARKER);
    expect(ours[0]!.body).toContain(`at ${second.slice(0, 12)}`);
    expect(ours[0]!.body).toContain('Validation failed');
    expect(ours[0]!.body).toMatch(/`fresh` \| create/);
    expect(ours[0]!.body).toMatch(/`nightly` \| invalid/);
    expect(ours[0]!.body).toContain('Diagram of <code>fresh</code>');
    expect(github.comments.find((c) => c.id === 1)!.body).toBe(`${COMMENT_MARKER}\nnot from trellis`);
    // The token cannot write check runs (GitHub answers 403): tried once, then comments only, with a warning that says why.
    expect(github.count('POST', '/check-runs')).toBe(1);
    expect(t.logs().some((l) => typeof l.msg === 'string' && l.msg.includes('check runs need a GitHub App'))).toBe(true);
    // The folder came from the trees API: never the contents API.
    expect(github.count('GET', '/contents')).toBe(0);
    // Blobs the clone lacks (the two changed files) were read once through the API; the rest came from the clone.
    expect(github.count('GET', '/git/blobs')).toBeLessThanOrEqual(2);
  });

  it('leaves one comment when two api replicas answer overlapping deliveries of one pull request', async () => {
    const second = await createTestApp({
      label: 'gitops-replica',
      database: t.database,
      env: { AGENTS_DIR: join(repos.server, 'agents'), TRELLIS_ADMIN_API_KEY: ADMIN_KEY },
      overrides: {
        credits: { enabled: false },
        gitops: { repository: 'acme/agents', folder: 'agents', pr_feedback: 'comment' },
        integrations: { github: { base_url: github.baseUrl } },
      },
    });
    try {
      const pull = github.pulls.get(7)!;
      github.pulls.set(10, { ...pull, number: 10 });
      const delivery = (app: TestApp, action: string) =>
        app.app
          .get(GithubEventListeners)
          .publish({ event: 'pull_request', action, delivery_id: `d-${Math.random()}`, repository: 'acme/agents', payload: { number: 10 } });
      // Both replicas' reads of the comments are answered together when both come: without the lock, both would create one.
      github.holdUntil(/^GET \/repos\/acme\/agents\/issues\/10\/comments/, 2, 1_000);
      await Promise.all([delivery(t, 'opened'), delivery(second, 'synchronize'), delivery(t, 'synchronize'), delivery(second, 'reopened')]);
      github.holdUntil(/^$/, 1, 0);
      const ours = github.comments.filter((c) => c.issue === 10 && c.user.login === 'trellis-bot');
      expect(ours).toHaveLength(1);
      expect(ours[0]!.body).toContain(`at ${pull.head.sha.slice(0, 12)}`);
    } finally {
      await second.close();
    }
  });

  it('updates the comment when a later push makes the pull request stop touching the folder, and never comments on one that never did', async () => {
    const base = git(repos.author, 'rev-parse', 'origin/main');
    const docs = repos.commit(
      { 'agents/fresh.yaml': null, 'agents/nightly.yaml': cronAgentYaml('nightly', '0 3 * * *'), 'README.md': 'docs\n' },
      'only docs',
      'feature',
    );
    github.pulls.set(7, { number: 7, state: 'open', head: { sha: docs, ref: 'feature' }, base: { sha: base, ref: 'main' } });
    await publish('pull_request', 'synchronize', { number: 7, pull_request: { number: 7, head: { sha: docs } } });
    const ours = github.comments.filter((c) => c.issue === 7 && c.user.login === 'trellis-bot');
    expect(ours).toHaveLength(1);
    expect(ours[0]!.body).toContain(`as of ${docs.slice(0, 12)} this pull request no longer changes \`agents/\``);

    github.pulls.set(8, { number: 8, state: 'open', head: { sha: docs, ref: 'feature' }, base: { sha: base, ref: 'main' } });
    await publish('pull_request', 'opened', { number: 8, pull_request: { number: 8 } });
    github.pulls.set(9, { number: 9, state: 'closed', head: { sha: docs, ref: 'feature' }, base: { sha: base, ref: 'main' } });
    await publish('pull_request', 'reopened', { number: 9, pull_request: { number: 9 } });
    expect(github.requests.filter((r) => /\/issues\/(8|9)\//.test(r.path) && r.method !== 'GET')).toEqual([]);
    // Feedback never syncs anything.
    expect((await activeCommits()).map((g) => g.id)).toEqual(['first', 'nightly']);
  });

  it('proposes an API graph as an agent file in a pull request, checked as sync checks files, with the API graph’s content hash', async () => {
    const admin = { 'X-API-Key': ADMIN_KEY };
    const agent = {
      name: 'made-by-api',
      description: 'Built through the API.',
      nodes: {
        who: { block: 'input', inputs: { name: 'who', type: 'string', default: 'world' } },
        greet: { block: 'text.template', inputs: { template: 'Hello {{ who }}' }, retry: { attempts: 2, backoff: 'fixed', delay: '2s' } },
        out: { block: 'output', inputs: { name: 'greeting' } },
      },
      links: ['who.value -> greet.values.who', 'greet.text -> out.value'],
    };
    await request(t.http).post('/api/graphs').set(admin).send(agent).expect(201);
    const res = await request(t.http).post('/api/graphs/made-by-api/propose').set(admin).expect(201);
    expect(res.body).toMatchObject({
      graph: 'made-by-api',
      version: 1,
      file: 'agents/made-by-api.yaml',
      pull_request: { url: expect.stringContaining('/pull/') },
    });
    const opened = github.opened.find((p) => p.number === res.body.pull_request.number);
    expect(opened).toMatchObject({ base: 'main', head: res.body.branch, title: 'Add agent made-by-api from the API' });
    expect(opened!.body).toContain('Merged unchanged, the sync of the push takes the API graph `made-by-api` over');
    const text = git(repos.bare, 'show', `${res.body.branch}:agents/made-by-api.yaml`);
    expect(text).toContain('name: made-by-api');
    const [version] = (await t.dataSource.query(`SELECT hash FROM graph_versions WHERE graph_id = 'made-by-api' AND version = 1`)) as Array<{ hash: string }>;
    expect(res.body.hash).toBe(version!.hash);
    const { report } = await t.app
      .get(AgentsPlanService)
      .validate([parseAgentYaml(text, 'agents/made-by-api.yaml')], { defaultOwner: 'admin', callable: () => true });
    expect(report.results[0]!.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(hashAgent(report.results[0]!.agent!)).toBe(version!.hash);

    // A file agent is changed in its file; a graph that does not exist is not found.
    expect((await request(t.http).post('/api/graphs/first/propose').set(admin).expect(409)).body.error.code).toBe('CONFLICT');
    await request(t.http).post('/api/graphs/nobody/propose').set(admin).expect(404);

    // The drift report lists it until it lives in the repository; file agents pinned away from their file too.
    const changed = repos.commit({ 'agents/first.yaml': cronAgentYaml('first', '0 8 * * *') }, 'first at eight', 'main');
    await publish('push', null, { ref: 'refs/heads/main', after: changed });
    await request(t.http).put('/api/graphs/first/versions/active').set(admin).send({ version: 1 }).expect(200);
    const drift = await request(t.http).get('/api/agents/drift').set(admin).expect(200);
    expect(drift.body).toEqual({
      api_graphs: [{ id: 'made-by-api', version: 1, hash: version!.hash, created_by: expect.any(String) }],
      pinned: [{ id: 'first', file: 'first.yaml', pinned_version: 1, file_version: 2 }],
    });

    // Users see and propose only their own API graphs: another's is as if it did not exist.
    const alice = await makeUser(t, 'alice');
    const bob = await makeUser(t, 'bob');
    await request(t.http)
      .post('/api/graphs')
      .set('X-API-Key', alice.key)
      .send({ ...agent, name: 'alices-graph' })
      .expect(201);
    expect((await request(t.http).post('/api/graphs/alices-graph/propose').set('X-API-Key', bob.key).expect(404)).body.error.code).toBe('NOT_FOUND');
    expect((await request(t.http).get('/api/agents/drift').set('X-API-Key', bob.key).expect(200)).body.api_graphs).toEqual([]);
    expect((await request(t.http).get('/api/agents/drift').set('X-API-Key', alice.key).expect(200)).body.api_graphs.map((g: { id: string }) => g.id)).toEqual([
      'alices-graph',
    ]);
    expect(github.opened.map((p) => p.title)).toEqual(['Add agent made-by-api from the API']);
  });

  it('a merged proposal syncs as a file agent: the API graph becomes the file’s, same version and hash, and runs the same', async () => {
    const admin = { 'X-API-Key': ADMIN_KEY };
    const before = await request(t.http)
      .post('/api/graphs/made-by-api/execute?wait=10s')
      .set(admin)
      .send({ inputs: { who: 'Ada' } })
      .expect(200);
    const branch = github.opened.find((p) => p.title === 'Add agent made-by-api from the API')!.head;
    git(repos.author, 'fetch', '--quiet', 'origin');
    git(repos.author, 'checkout', '--quiet', 'main');
    git(repos.author, 'reset', '--quiet', '--hard', 'origin/main');
    git(repos.author, 'merge', '--quiet', '--no-edit', `origin/${branch}`);
    git(repos.author, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');
    const merged = git(repos.author, 'rev-parse', 'HEAD');
    await publish('push', null, { ref: 'refs/heads/main', after: merged });

    const graph = await request(t.http).get('/api/graphs/made-by-api').set(admin).expect(200);
    expect(graph.body).toMatchObject({ source: 'file', file: 'made-by-api.yaml', active: true, active_version: 1, versions: 1 });
    const sync = await request(t.http).get('/api/agents/sync?limit=1').set(admin).expect(200);
    expect(sync.body.files.find((f: { file: string }) => f.file === 'made-by-api.yaml')).toMatchObject({
      agent: 'made-by-api',
      action: 'update',
      problems: [],
      commit: merged,
    });
    const after = await request(t.http)
      .post('/api/graphs/made-by-api/execute?wait=10s')
      .set(admin)
      .send({ inputs: { who: 'Ada' } })
      .expect(200);
    expect(after.body.outputs).toEqual(before.body.outputs);
    expect(after.body.outputs).toEqual({ greeting: ['Hello Ada'] });
    // From now on it is changed in its file: the API refuses, naming it; the drift report no longer lists it.
    expect((await request(t.http).put('/api/graphs/made-by-api').set(admin).send({ name: 'made-by-api', nodes: {} }).expect(409)).body.error.code).toBe(
      'FILE_MANAGED',
    );
    expect((await request(t.http).get('/api/agents/drift').set(admin).expect(200)).body.api_graphs.map((g: { id: string }) => g.id)).not.toContain(
      'made-by-api',
    );
  });
});
