// What the local GitHub API server writes into its bare repository, with git plumbing (no working tree):
// branches (the refs API) and one-file commits (the contents API), as GitHub does for a pull request
// opened through the API.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = (bare: string, args: string[], input?: string, env: Record<string, string> = {}): string =>
  execFileSync('git', args, { cwd: bare, encoding: 'utf8', input, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'ignore'] }).trim();

/** The commit a ref points at, or null. */
export function refSha(bare: string, ref: string): string | null {
  try {
    return run(bare, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    return null;
  }
}

/** The blob sha of `path` at `ref`, or null when either is absent. */
export function fileSha(bare: string, ref: string, path: string): string | null {
  try {
    return run(bare, ['rev-parse', '--verify', '--quiet', `${ref}:${path}`]);
  } catch {
    return null;
  }
}

export function updateRef(bare: string, ref: string, sha: string): void {
  run(bare, ['update-ref', ref, sha]);
}

/** Commits `text` at `path` on top of `branch` and moves the branch; answers the new commit. */
export function commitFile(bare: string, branch: string, path: string, text: string, message: string): string {
  const parent = refSha(bare, `refs/heads/${branch}`);
  if (!parent) throw new Error(`no branch ${branch}`);
  const scratch = mkdtempSync(join(tmpdir(), 'fake-github-index-'));
  try {
    const env = {
      GIT_INDEX_FILE: join(scratch, 'index'),
      GIT_AUTHOR_NAME: 'trellis',
      GIT_AUTHOR_EMAIL: 'trellis@example.com',
      GIT_COMMITTER_NAME: 'GitHub',
      GIT_COMMITTER_EMAIL: 'noreply@github.com',
    };
    const blob = run(bare, ['hash-object', '-w', '--stdin'], text);
    run(bare, ['read-tree', parent], undefined, env);
    run(bare, ['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`], undefined, env);
    const tree = run(bare, ['write-tree'], undefined, env);
    const commit = run(bare, ['commit-tree', tree, '-p', parent, '-m', message], undefined, env);
    updateRef(bare, `refs/heads/${branch}`, commit);
    return commit;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
