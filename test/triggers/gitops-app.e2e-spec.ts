// The GitOps loop as a GitHub App: the app's JWT buys an installation token (minted once, cached, minted
// again before it expires), pull-request feedback is a check run with one annotation per problem at its
// file, line and column plus one comment by the app's bot, and a push's result is a check run on the
// synced commit. Against a local GitHub API that verifies the JWT with the app's public key.
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeGithub } from '../../bench/github-api.js';
import { GithubEventListeners } from '../../src/triggers/github/github-events.js';
import { AppAuth, TOKEN_REFRESH_MARGIN_MS } from '../../src/triggers/gitops/gitops-auth.js';
import { PR_CHECK_NAME, PUSH_CHECK_NAME } from '../../src/triggers/gitops/gitops-comment.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { git, gitRepos, type GitRepos } from './gitops-helpers.js';
import { cronAgentYaml } from './schedules-helpers.js';

const INVALID = 'name: nightly\nnodes:\n  x:\n    block: text.templat\n';

describe('gitops as a GitHub App', () => {
  let t: TestApp;
  let repos: GitRepos;
  let github: FakeGithub;
  let baseUrl: string;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // GitHub hands out PKCS#1 keys ("BEGIN RSA PRIVATE KEY"); operators often pass them with \n escaped.
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

  beforeAll(async () => {
    repos = gitRepos({ 'agents/first.yaml': cronAgentYaml('first', '0 7 * * *') });
    github = new FakeGithub('acme/agents', repos.bare, {}, { id: 4242, slug: 'trellis-app', publicKey, installationId: 77 });
    baseUrl = await github.listen();
    t = await createTestApp({
      label: 'gitops-app',
      env: { AGENTS_DIR: join(repos.server, 'agents'), TRELLIS_ADMIN_API_KEY: 'test-admin-key-gitops-app' },
      overrides: {
        credits: { enabled: false },
        gitops: { repository: 'https://github.com/acme/agents.git', folder: 'agents', app_id: '4242', app_private_key: pem.replace(/\n/g, '\\n') },
        integrations: { github: { base_url: baseUrl } },
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await github?.close();
    repos?.cleanup();
  });

  const publish = (event: 'push' | 'pull_request', action: string | null, payload: Record<string, unknown>) =>
    t.app.get(GithubEventListeners).publish({ event, action, delivery_id: `d-${Math.random()}`, repository: 'acme/agents', payload });

  it('mints an installation token from the app JWT, reuses it, and mints a new one before it expires', async () => {
    let now = Date.now();
    const auth = new AppAuth({ appId: '4242', privateKey: pem, installationId: '77' }, baseUrl, { owner: 'acme', repo: 'agents' }, () => now);
    const minted = () => github.requests.filter((r) => r.path === '/app/installations/77/access_tokens').length;
    const before = minted();
    const octokit = await auth.octokit();
    await octokit.rest.pulls.get({ owner: 'acme', repo: 'agents', pull_number: 1 }).catch((error: { status: number }) => expect(error.status).toBe(404));
    await octokit.rest.pulls.get({ owner: 'acme', repo: 'agents', pull_number: 1 }).catch((error: { status: number }) => expect(error.status).toBe(404));
    expect(minted()).toBe(before + 1);
    expect(github.installationTokens.size).toBe(1);
    // Within the refresh margin of its one-hour life the cached token is not used again.
    now += 3_600_000 - TOKEN_REFRESH_MARGIN_MS + 1_000;
    await octokit.rest.pulls.get({ owner: 'acme', repo: 'agents', pull_number: 1 }).catch((error: { status: number }) => expect(error.status).toBe(404));
    expect(minted()).toBe(before + 2);
    expect(github.installationTokens.size).toBe(2);
    expect(await auth.author()).toBe('trellis-app[bot]');
  });

  it('looks the installation up from the repository, and refuses a wrong key with GitHub’s answer', async () => {
    const auth = new AppAuth({ appId: '4242', privateKey: pem }, baseUrl, { owner: 'acme', repo: 'agents' });
    await (await auth.octokit()).rest.pulls.get({ owner: 'acme', repo: 'agents', pull_number: 1 }).catch(() => undefined);
    expect(github.requests.some((r) => r.path === '/repos/acme/agents/installation')).toBe(true);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const wrong = new AppAuth({ appId: '4242', privateKey: other, installationId: '77' }, baseUrl, { owner: 'acme', repo: 'agents' });
    await expect((await wrong.octokit()).rest.pulls.get({ owner: 'acme', repo: 'agents', pull_number: 1 })).rejects.toMatchObject({ status: 401 });
  });

  it('writes one check run on the newest head with an annotation at the problem’s file, line and column, and one comment by the app', async () => {
    const base = git(repos.author, 'rev-parse', 'origin/main');
    repos.branch('feature', base);
    const first = repos.commit({ 'agents/fresh.yaml': cronAgentYaml('fresh', '*/5 * * * *') }, 'fresh', 'feature');
    const second = repos.commit({ 'agents/nightly.yaml': INVALID }, 'nightly, broken', 'feature');
    github.pulls.set(3, { number: 3, state: 'open', head: { sha: second, ref: 'feature' }, base: { sha: base, ref: 'main' } });
    await Promise.all([
      publish('pull_request', 'opened', { number: 3, pull_request: { number: 3, head: { sha: first } } }),
      publish('pull_request', 'synchronize', { number: 3, pull_request: { number: 3, head: { sha: second } } }),
    ]);
    expect(github.checkRuns).toHaveLength(1);
    const run = github.checkRuns[0]!;
    expect(run).toMatchObject({ name: PR_CHECK_NAME, head_sha: second, status: 'completed', conclusion: 'failure', app: { slug: 'trellis-app' } });
    expect(run.output.summary).toContain('Validation failed');
    expect(run.output.summary).toMatch(/`fresh` \| create/);
    // Credits per run, before → after, for each created or changed agent (release-2.md section 5).
    expect(run.output.summary).toMatch(/\| agent \| before \| after \|\n[^]*\| `fresh` \| new \| 0 \|\n/);
    expect(run.output.text).toContain('```mermaid');
    expect(run.annotations).toEqual([
      expect.objectContaining({ path: 'agents/nightly.yaml', start_line: 4, end_line: 4, start_column: 12, end_column: 12, annotation_level: 'failure' }),
    ]);
    expect(run.annotations[0]!.message).toContain('text.templat');
    const comments = github.comments.filter((c) => c.issue === 3);
    expect(comments).toEqual([expect.objectContaining({ user: { login: 'trellis-app[bot]', type: 'Bot' } })]);
    expect(comments[0]!.body).toContain(`at ${second.slice(0, 12)}`);
    expect(comments[0]!.body).toMatch(/\| agent \| before \| after \|\n[^]*\| `fresh` \| new \| 0 \|\n/);

    // A redelivery for the same head updates that check run; it never adds a second one.
    await publish('pull_request', 'synchronize', { number: 3, pull_request: { number: 3, head: { sha: second } } });
    expect(github.checkRuns).toHaveLength(1);
    expect(github.comments.filter((c) => c.issue === 3)).toHaveLength(1);
  });

  it('sends annotations past GitHub’s 50 per request in further updates of the same check run, each at its file and line', async () => {
    const base = git(repos.author, 'rev-parse', 'origin/main');
    repos.branch('many', base);
    const files = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`agents/broken-${i}.yaml`, INVALID.replace('nightly', `broken-${i}`)]));
    const head = repos.commit(files, 'sixty broken agents', 'many');
    github.pulls.set(5, { number: 5, state: 'open', head: { sha: head, ref: 'many' }, base: { sha: base, ref: 'main' } });
    const before = github.requests.length;
    await publish('pull_request', 'opened', { number: 5, pull_request: { number: 5, head: { sha: head } } });
    const run = github.checkRuns.find((r) => r.head_sha === head)!;
    expect(run.annotations).toHaveLength(60);
    expect(run.annotations.map((a) => a.path).sort()).toEqual(Object.keys(files).sort());
    expect(run.annotations.every((a) => a.start_line === 4 && a.start_column === 12 && a.annotation_level === 'failure')).toBe(true);
    const writes = github.requests.slice(before).filter((r) => r.path.includes('/check-runs') && r.method !== 'GET');
    expect(writes.map((r) => r.method)).toEqual(['POST', 'PATCH']);
  });

  it('puts a push’s result on the synced commit as a check run, with the skipped file annotated', async () => {
    const bad = repos.commit({ 'agents/nightly.yaml': INVALID, 'agents/second.yaml': cronAgentYaml('second', '0 1 * * *') }, 'push a broken file', 'main');
    await publish('push', null, { ref: 'refs/heads/main', after: bad });
    const run = github.checkRuns.find((r) => r.head_sha === bad && r.name === PUSH_CHECK_NAME);
    expect(run).toMatchObject({ conclusion: 'failure', output: { title: 'Synced; 1 invalid file skipped (last good version kept)' } });
    expect(run!.annotations).toEqual([expect.objectContaining({ path: 'agents/nightly.yaml', start_line: 4, annotation_level: 'failure' })]);
    expect(github.statuses).toEqual([]);
    expect((await t.dataSource.query(`SELECT id FROM graphs WHERE active ORDER BY id`)).map((r: { id: string }) => r.id)).toEqual(['first', 'second']);
  });
});
