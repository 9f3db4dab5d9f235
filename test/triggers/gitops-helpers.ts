// Real Git for the GitOps tests: a bare "origin" (what GitHub holds, and what the local GitHub API server
// reads trees and blobs from), an author's clone that commits and pushes, and the server's clone that
// AGENTS_DIR points into. Pull requests are branches plus `refs/pull/<n>/head`, as on GitHub.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  }).trim();

export interface GitRepos {
  root: string;
  bare: string;
  author: string;
  server: string;
  /** Writes (text) or deletes (null) files in the author's clone, commits on `branch` and pushes it; answers the commit. */
  commit(files: Record<string, string | null>, message: string, branch?: string): string;
  /** Starts `branch` from `from` (a commit or branch) in the author's clone. */
  branch(branch: string, from: string): void;
  /** Points `refs/pull/<n>/head` of the bare repository at `sha`, as GitHub does for a pull request. */
  pullRef(number: number, sha: string): void;
  cleanup(): void;
}

export function gitRepos(initial: Record<string, string>): GitRepos {
  const root = mkdtempSync(join(tmpdir(), 'trellis-gitops-'));
  const bare = join(root, 'origin.git');
  git(root, 'init', '--quiet', '--bare', 'origin.git');
  git(bare, 'symbolic-ref', 'HEAD', 'refs/heads/main');
  const author = join(root, 'author');
  git(root, 'clone', '--quiet', bare, 'author');
  git(author, 'checkout', '--quiet', '-b', 'main');
  const repos: GitRepos = {
    root,
    bare,
    author,
    server: join(root, 'server'),
    commit(files, message, branch = 'main') {
      if (git(author, 'symbolic-ref', '--short', 'HEAD') !== branch) git(author, 'checkout', '--quiet', branch);
      for (const [path, text] of Object.entries(files)) {
        if (text === null) git(author, 'rm', '--quiet', path);
        else {
          mkdirSync(dirname(join(author, path)), { recursive: true });
          writeFileSync(join(author, path), text);
        }
      }
      git(author, 'add', '--all');
      git(author, 'commit', '--quiet', '--allow-empty', '-m', message);
      git(author, 'push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`);
      return git(author, 'rev-parse', 'HEAD');
    },
    branch(branch, from) {
      git(author, 'checkout', '--quiet', '-B', branch, from);
    },
    pullRef(number, sha) {
      git(bare, 'update-ref', `refs/pull/${number}/head`, sha);
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  repos.commit(initial, 'initial agents');
  git(root, 'clone', '--quiet', '--branch', 'main', bare, 'server');
  return repos;
}
