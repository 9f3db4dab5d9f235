import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { apiKey, blockHarness, rejection, type TestContextOptions } from '../../../../test/blocks/peers/block-context.js';
import { startGithubPeer, type GithubPeer } from '../../../../test/blocks/peers/github-peer.js';
import { startHttpPeer } from '../../../../test/blocks/peers/http-peer.js';
import { waitFor } from '../../../../test/helpers/wait.js';
import type { BlockDefinition } from '../../block.types.js';
import { githubCommentBlock } from './github.comment.js';
import { githubFileGetBlock } from './github.file.get.js';
import { githubIssueCreateBlock } from './github.issue.create.js';
import { githubLabelsAddBlock } from './github.labels.add.js';
import { githubPrGetBlock } from './github.pr.get.js';

// One describe around the whole file: its hooks stay its own when it runs in a bundle (test/bundles).
describe('GitHub blocks', () => {
  let github: GithubPeer;
  const savedToken = process.env.GITHUB_TOKEN;

  beforeAll(async () => {
    github = await startGithubPeer('ghp_testtoken123');
  });

  afterEach(() => {
    github.rateLimited = false;
    github.hangOn = null;
    if (savedToken === undefined) delete process.env.GITHUB_TOKEN;
    else process.env.GITHUB_TOKEN = savedToken;
  });

  afterAll(async () => {
    await github.close();
  });

  function issue(number: number, pull = false, labels: string[] = []): void {
    github.issues.set(number, { title: `Issue ${number}`, body: 'text', labels: [...labels], comments: [], pull });
  }

  async function run(block: BlockDefinition, inputs: Record<string, unknown>, options: TestContextOptions = {}) {
    const harness = blockHarness({
      credentials: { github: apiKey('ghp_testtoken123', 'github', 'github-bot') },
      ...options,
      settings: { githubBaseUrl: github.url, ...options.settings },
    });
    try {
      return await harness.run(block, inputs);
    } finally {
      await harness.close();
    }
  }

  describe('github.comment', () => {
    it('comments on an issue with the token and yields the comment id and URL', async () => {
      issue(1);
      const yields = await run(githubCommentBlock, { repository: 'acme/app', number: 1, body: 'Looks good :+1:' });
      expect(yields).toEqual([
        ['comment_id', expect.any(Number)],
        ['url', expect.stringMatching(/^https:\/\/github\.com\/acme\/app\/issues\/1#issuecomment-\d+$/)],
      ]);
      expect(github.issues.get(1)!.comments).toEqual(['Looks good :+1:']);
      const request = github.requests.at(-1)!;
      expect(request.headers.authorization).toBe('token ghp_testtoken123');
      expect(request.headers['user-agent']).toContain('trellis');
    });

    it('says what was not found on 404', async () => {
      const error = await rejection(run(githubCommentBlock, { repository: 'acme/app', number: 99, body: 'x' }));
      expect(error.code).toBe('GITHUB_NOT_FOUND');
      expect(error.message).toContain('issue or pull request acme/app#99');
      expect(error.message).toContain('"github-bot" can see the repository');
      expect((await rejection(run(githubCommentBlock, { repository: 'acme/secret', number: 1, body: 'x' }))).code).toBe('GITHUB_NOT_FOUND');
    });

    it('refuses a repository that is not owner/name before calling GitHub', async () => {
      const before = github.requests.length;
      const error = await rejection(run(githubCommentBlock, { repository: 'https://github.com/acme/app', number: 1, body: 'x' }));
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toContain('owner/name');
      expect(github.requests.length).toBe(before);
    });
  });

  describe('github.issue.create and github.labels.add', () => {
    it('opens an issue with labels and yields its number and URL', async () => {
      const out = Object.fromEntries(await run(githubIssueCreateBlock, { repository: 'acme/app', title: 'Broken build', body: 'CI is red', labels: ['ci'] }));
      expect(out.url).toBe(`https://github.com/acme/app/issues/${out.number}`);
      expect(github.issues.get(out.number as number)).toMatchObject({ title: 'Broken build', body: 'CI is red', labels: ['ci'] });
    });

    it("passes on GitHub's validation message (422)", async () => {
      const error = await rejection(run(githubIssueCreateBlock, { repository: 'acme/app', title: '   ' }));
      expect(error.code).toBe('GITHUB_INVALID_REQUEST');
      expect(error.message).toContain('422: Validation Failed: title missing_field');
    });

    it('adds labels and yields every label now on the issue', async () => {
      issue(7, true, ['triage']);
      const yields = await run(githubLabelsAddBlock, { repository: 'acme/app', number: 7, labels: ['size/large', 'triage'] });
      expect(yields).toEqual([['labels', ['triage', 'size/large']]]);
    });
  });

  describe('github.pr.get', () => {
    it('yields the pull request, and no diff unless asked', async () => {
      issue(12, true);
      const yields = await run(githubPrGetBlock, { repository: 'acme/app', number: 12 });
      expect(yields.map(([pin]) => pin)).toEqual(['pull_request']);
      expect(yields[0]![1]).toMatchObject({ number: 12, title: 'Issue 12', additions: 120, base: { ref: 'main' } });
    });

    it('asks for the diff media type with include_diff', async () => {
      issue(13, true);
      github.diffs.set(13, 'diff --git a/x.ts b/x.ts\n--- a/x.ts\n+++ b/x.ts\n@@ -1 +1 @@\n-old\n+new\n');
      const out = Object.fromEntries(await run(githubPrGetBlock, { repository: 'acme/app', number: 13, include_diff: true }));
      expect(out.diff).toBe(github.diffs.get(13));
      expect(github.requests.at(-1)!.headers.accept).toMatch(/application\/vnd\.github(\.v3)?\.diff/);
    });

    it('answers 404 for an issue that is not a pull request', async () => {
      issue(14);
      const error = await rejection(run(githubPrGetBlock, { repository: 'acme/app', number: 14 }));
      expect(error.message).toContain('pull request acme/app#14');
    });
  });

  describe('github.file.get', () => {
    it('decodes the base64 content to UTF-8 and yields the blob sha', async () => {
      github.files.set('docs/README.md', Buffer.from('# Grüße\n\nÜber alles — naïve café ✓\n'.repeat(5), 'utf8'));
      const out = Object.fromEntries(await run(githubFileGetBlock, { repository: 'acme/app', path: 'docs/README.md' }));
      expect(out).toMatchObject({
        content: '# Grüße\n\nÜber alles — naïve café ✓\n'.repeat(5),
        encoding: 'utf-8',
        sha: expect.stringMatching(/^[0-9a-f]{40}$/),
      });
    });

    it('reads at a ref, and gives a binary file as base64', async () => {
      github.files.set('VERSION@v1.0.0', Buffer.from('1.0.0\n'));
      expect(Object.fromEntries(await run(githubFileGetBlock, { repository: 'acme/app', path: 'VERSION', ref: 'v1.0.0' })).content).toBe('1.0.0\n');
      expect(github.requests.at(-1)!.url).toContain('ref=v1.0.0');
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe]);
      github.files.set('logo.png', png);
      const out = Object.fromEntries(await run(githubFileGetBlock, { repository: 'acme/app', path: 'logo.png' }));
      expect(out).toMatchObject({ encoding: 'base64', content: png.toString('base64') });
    });

    it('fetches a file over 1 MB through the raw media type', async () => {
      const big = 'line of text\n'.repeat(90_000);
      github.files.set('data/big.txt', Buffer.from(big));
      const out = Object.fromEntries(await run(githubFileGetBlock, { repository: 'acme/app', path: 'data/big.txt' }));
      expect(out.content).toBe(big);
      expect(github.requests.at(-1)!.headers.accept).toMatch(/application\/vnd\.github(\.v3)?\.raw/);
    });

    it('says so when the path is a directory', async () => {
      github.files.set('docs/', Buffer.alloc(0));
      const error = await rejection(run(githubFileGetBlock, { repository: 'acme/app', path: 'docs' }));
      expect(error.code).toBe('GITHUB_UNEXPECTED_ANSWER');
      expect(error.message).toContain('directory');
    });
  });

  describe('GitHub credentials, limits and failures', () => {
    it('uses the admitted system default (default:github) when the node maps no credential, and an oauth2 access token when mapped', async () => {
      issue(20);
      await run(
        githubCommentBlock,
        { repository: 'acme/app', number: 20, body: 'env' },
        { credentials: {}, systemDefaults: { github: apiKey('ghp_testtoken123', 'github', 'default:github') } },
      );
      const oauth = { name: 'gh-oauth', provider: 'github', type: 'oauth2' as const, fields: { access_token: 'ghp_testtoken123', refresh_token: 'r' } };
      await run(githubCommentBlock, { repository: 'acme/app', number: 20, body: 'oauth' }, { credentials: { github: oauth } });
      expect(github.issues.get(20)!.comments).toEqual(['env', 'oauth']);
    });

    it('says how to give a token when there is none (never reading GITHUB_TOKEN itself)', async () => {
      process.env.GITHUB_TOKEN = 'ghp_testtoken123';
      const error = await rejection(run(githubCommentBlock, { repository: 'acme/app', number: 1, body: 'x' }, { credentials: {} }));
      expect(error.code).toBe('CREDENTIAL_UNRESOLVED');
      expect(error.message).toContain('default:github');
    });

    it("sends the token only to the credential's hosts", async () => {
      const bound = { ...apiKey('ghp_testtoken123', 'github', 'github-bot'), hosts: ['api.github.com'] };
      const error = await rejection(run(githubCommentBlock, { repository: 'acme/app', number: 1, body: 'x' }, { credentials: { github: bound } }));
      expect(error.code).toBe('CREDENTIAL_HOST_REFUSED');
      expect(error.message).toContain('"github-bot"');
      expect(error.message).not.toContain('ghp_testtoken123');
    });

    it('turns a wrong token into a clear 401 error naming the credential', async () => {
      const error = await rejection(
        run(githubCommentBlock, { repository: 'acme/app', number: 1, body: 'x' }, { credentials: { github: apiKey('ghp_wrong', 'github', 'stale-bot') } }),
      );
      expect(error.code).toBe('GITHUB_AUTH_FAILED');
      expect(error.message).toContain('"stale-bot" (401: Bad credentials)');
      expect(error.message).not.toContain('ghp_wrong');
    });

    it('turns the 403 rate-limit answer into a rate-limit error with the reset time', async () => {
      github.rateLimited = true;
      const error = await rejection(run(githubPrGetBlock, { repository: 'acme/app', number: 12 }));
      expect(error.code).toBe('GITHUB_RATE_LIMITED');
      expect(error.message).toContain('rate limit is used up (403: API rate limit exceeded');
      expect(error.message).toMatch(/resets at \d{4}-\d{2}-\d{2}T/);
      expect(error.details).toMatchObject({ status: 403, limit: 5000, reset_at: expect.any(String) });
    });

    it('says when GitHub cannot be reached', async () => {
      const gone = await startHttpPeer(() => undefined);
      await gone.close();
      const error = await rejection(run(githubPrGetBlock, { repository: 'acme/app', number: 12 }, { settings: { githubBaseUrl: gone.url } }));
      expect(error.code).toBe('GITHUB_UNREACHABLE');
      expect(error.message).toContain(gone.url);
    });

    it('stops promptly when the run is aborted mid-request', async () => {
      github.hangOn = '/repos/acme/app/pulls';
      const controller = new AbortController();
      const before = github.requests.length;
      const pending = run(githubPrGetBlock, { repository: 'acme/app', number: 12 }, { signal: controller.signal });
      await waitFor(
        () => github.requests.length,
        (n) => n > before,
        { what: 'the request to reach the peer' },
      );
      controller.abort();
      expect((await rejection(pending)).code).toBe('CANCELLED');
    });
  });
});
