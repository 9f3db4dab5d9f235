// The GitOps loop: a push to the agents repository checks the commit out into AGENTS_DIR's clone (a real
// bare repository) and syncs; a pull request gets one comment (local server speaking GitHub's REST shapes),
// updated in place on the next push.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GithubEventListeners } from '../../src/triggers/github/github-events.js';
import { COMMENT_MARKER } from '../../src/triggers/gitops/gitops-comment.js';
import { GitopsService } from '../../src/triggers/gitops/gitops.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { cronAgentYaml } from './schedules-helpers.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();

interface Comment {
  id: number;
  body: string;
}

/** A GitHub REST stand-in: PR files, contents at a ref, and issue comments. */
function fakeGithub(files: Map<string, Map<string, string>>, changed: string[]) {
  const comments: Comment[] = [];
  const calls: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    calls.push(`${req.method} ${url.pathname}`);
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.headers.authorization !== 'token ghp_test' && req.headers.authorization !== 'bearer ghp_test') return send(401, { message: 'Bad credentials' });
      let m: RegExpExecArray | null;
      if ((m = /^\/repos\/acme\/agents\/pulls\/(\d+)\/files$/.exec(url.pathname)))
        return send(
          200,
          changed.map((filename) => ({ filename, status: 'modified' })),
        );
      if ((m = /^\/repos\/acme\/agents\/contents\/(.+)$/.exec(url.pathname))) {
        const tree = files.get(url.searchParams.get('ref') ?? '');
        const path = decodeURIComponent(m[1]!);
        if (!tree) return send(404, { message: 'No commit found' });
        if (tree.has(path))
          return send(200, { type: 'file', name: path.split('/').pop(), path, encoding: 'base64', content: Buffer.from(tree.get(path)!).toString('base64') });
        const entries = [...tree.keys()].filter((p) => p.startsWith(`${path}/`)).map((p) => ({ type: 'file', name: p.split('/').pop(), path: p }));
        return entries.length ? send(200, entries) : send(404, { message: 'Not Found' });
      }
      if ((m = /^\/repos\/acme\/agents\/issues\/(\d+)\/comments$/.exec(url.pathname))) {
        if (req.method === 'GET') return send(200, [{ id: 1, body: 'LGTM from a person' }, ...comments]);
        const comment = { id: 100 + comments.length, body: JSON.parse(body).body as string };
        comments.push(comment);
        return send(201, comment);
      }
      if ((m = /^\/repos\/acme\/agents\/issues\/comments\/(\d+)$/.exec(url.pathname)) && req.method === 'PATCH') {
        const comment = comments.find((c) => c.id === Number(m![1]));
        if (!comment) return send(404, { message: 'Not Found' });
        comment.body = JSON.parse(body).body as string;
        return send(200, comment);
      }
      send(404, { message: `no route ${req.method} ${url.pathname}` });
    });
  });
  return { server, comments, calls };
}

describe('gitops', () => {
  let t: TestApp;
  let root: string;
  let author: string;
  let github: ReturnType<typeof fakeGithub>;
  const trees = new Map<string, Map<string, string>>();
  const changed = ['agents/nightly.yaml'];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'trellis-gitops-'));
    git(root, 'init', '--quiet', '--bare', 'origin.git');
    git(join(root, 'origin.git'), 'symbolic-ref', 'HEAD', 'refs/heads/main');
    author = join(root, 'author');
    git(root, 'clone', '--quiet', join(root, 'origin.git'), 'author');
    mkdirSync(join(author, 'agents'));
    writeFileSync(join(author, 'agents', 'first.yaml'), cronAgentYaml('first', '0 7 * * *'));
    git(author, 'add', '.');
    git(author, 'commit', '--quiet', '-m', 'first agent');
    git(author, 'push', '--quiet', 'origin', 'HEAD:main');
    git(root, 'clone', '--quiet', '--branch', 'main', join(root, 'origin.git'), 'server');

    // The GitOps loop reads the GITHUB_TOKEN system credential from the process environment, as in production.
    process.env.GITHUB_TOKEN = 'ghp_test';
    github = fakeGithub(trees, changed);
    await new Promise<void>((resolve) => github.server.listen(0, '127.0.0.1', resolve));
    const port = (github.server.address() as AddressInfo).port;
    t = await createTestApp({
      label: 'gitops',
      env: { AGENTS_DIR: join(root, 'server', 'agents'), TRELLIS_ADMIN_API_KEY: 'test-admin-key-gitops' },
      overrides: {
        credits: { enabled: false },
        gitops: { repository: 'acme/agents', branch: 'main', folder: 'agents' },
        integrations: { github: { base_url: `http://127.0.0.1:${port}` } },
      },
    });
  });
  afterAll(async () => {
    delete process.env.GITHUB_TOKEN;
    await t?.close();
    await new Promise((resolve) => github?.server.close(resolve));
    rmSync(root, { recursive: true, force: true });
  });

  const publish = (event: 'push' | 'pull_request', action: string | null, payload: Record<string, unknown>) =>
    t.app.get(GithubEventListeners).publish({ event, action, delivery_id: `d-${Math.random()}`, repository: 'acme/agents', payload });

  it('syncs the pushed commit on a push to the agents branch, and ignores other branches and repositories', async () => {
    writeFileSync(join(author, 'agents', 'nightly.yaml'), cronAgentYaml('nightly', '0 2 * * *'));
    git(author, 'add', '.');
    git(author, 'commit', '--quiet', '-m', 'nightly');
    git(author, 'push', '--quiet', 'origin', 'HEAD:main');
    const sha = git(author, 'rev-parse', 'HEAD');

    const service = t.app.get(GitopsService);
    expect(
      await service.handle({ event: 'push', action: null, delivery_id: 'x', repository: 'acme/other', payload: { ref: 'refs/heads/main', after: sha } }),
    ).toEqual({ handled: false, reason: 'not the agents repository' });
    expect(
      await service.handle({ event: 'push', action: null, delivery_id: 'x', repository: 'acme/agents', payload: { ref: 'refs/heads/dev', after: sha } }),
    ).toMatchObject({ handled: false });
    expect(await t.dataSource.query(`SELECT id FROM graphs`)).toEqual([]);

    await publish('push', null, { ref: 'refs/heads/main', after: sha });
    const graphs = (await t.dataSource.query(
      `SELECT g.id, v.commit FROM graphs g JOIN graph_versions v ON v.graph_id = g.id AND v.version = g.active_version ORDER BY g.id`,
    )) as Array<{ id: string; commit: string }>;
    expect(graphs).toEqual([
      { id: 'first', commit: sha },
      { id: 'nightly', commit: sha },
    ]);
    expect(git(join(root, 'server'), 'rev-parse', 'HEAD')).toBe(sha);
    // The synced cron triggers got their schedules.
    expect((await t.dataSource.query(`SELECT graph_id FROM schedules ORDER BY graph_id`)).map((r: { graph_id: string }) => r.graph_id)).toEqual([
      'first',
      'nightly',
    ]);
  });

  it('comments once on a pull request touching the folder, and updates that comment on the next push', async () => {
    trees.set(
      'a'.repeat(40),
      new Map([
        ['agents/first.yaml', cronAgentYaml('first', '0 7 * * *')],
        ['agents/nightly.yaml', cronAgentYaml('nightly', '0 3 * * *')],
        ['agents/fresh.yaml', cronAgentYaml('fresh', '*/5 * * * *')],
      ]),
    );
    trees.set(
      'b'.repeat(40),
      new Map([
        ['agents/first.yaml', cronAgentYaml('first', '0 7 * * *')],
        ['agents/nightly.yaml', 'name: nightly\nnodes:\n  x:\n    block: text.templat\n'],
      ]),
    );

    await publish('pull_request', 'opened', { number: 7, pull_request: { number: 7, head: { sha: 'a'.repeat(40) } } });
    expect(github.comments).toHaveLength(1);
    const first = github.comments[0]!.body;
    expect(first).toContain(COMMENT_MARKER);
    expect(first).toContain('Validation passed');
    expect(first).toContain('## Trellis agents plan');
    expect(first).toMatch(/`fresh` \| create/);
    expect(first).toMatch(/`nightly` \| update/);
    expect(first).toContain('```mermaid');
    expect(first).toContain('Diagram of <code>fresh</code>');
    expect(first).toContain('Diagram of <code>nightly</code>');
    expect(first).not.toContain('Diagram of <code>first</code>');

    await publish('pull_request', 'synchronize', { number: 7, pull_request: { number: 7, head: { sha: 'b'.repeat(40) } } });
    expect(github.comments).toHaveLength(1);
    const second = github.comments[0]!.body;
    expect(second).toContain('Validation failed');
    expect(second).toMatch(/`nightly` \| invalid/);
    expect(second).toContain('text.templat');
    expect(github.calls.filter((c) => c.startsWith('POST'))).toHaveLength(1);
    expect(github.calls.filter((c) => c.startsWith('PATCH'))).toHaveLength(1);

    // Closed pull requests, and ones that do not touch the folder, get nothing.
    await publish('pull_request', 'closed', { number: 7, pull_request: { number: 7, head: { sha: 'b'.repeat(40) } } });
    changed.splice(0, changed.length, 'README.md');
    await publish('pull_request', 'opened', { number: 8, pull_request: { number: 8, head: { sha: 'b'.repeat(40) } } });
    expect(github.calls.filter((c) => c.includes('/issues/8/'))).toEqual([]);
    // The PR comment never syncs anything.
    expect((await t.dataSource.query(`SELECT id FROM graphs ORDER BY id`)).map((r: { id: string }) => r.id)).toEqual(['first', 'nightly']);
  });
});
