// GitOps on disk, with the git binary through execFile/spawn (no shell): a push fetches the branch and checks
// out its tip (whatever order deliveries arrive in, the checkout follows the branch), and a pull request's
// blobs are read from the local clone in one `git cat-file --batch` when it has them. Errors say which
// command failed and why.
import { execFile, spawn } from 'node:child_process';
import { gitEnvironment } from '../../config/environment.js';

function git(args: string[], cwd: string): Promise<string> {
  const env = gitEnvironment();
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env, timeout: 60_000, windowsHide: true, maxBuffer: 256 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`git ${args.join(' ')} failed in ${cwd}: ${String(stderr || error.message).trim()}`));
      else resolve(String(stdout).trim());
    });
  });
}

/** The top of the checkout holding `dir`, or null when it is not in one. */
export async function repositoryRoot(dir: string): Promise<string | null> {
  try {
    return await git(['rev-parse', '--show-toplevel'], dir);
  } catch {
    return null;
  }
}

/**
 * Fetches `branch` from `remote` and checks out its tip (detached) in the checkout holding `dir`. The tip,
 * not the delivery's `after`: a late delivery of an older push then still leaves the newest commit out.
 * Answers the commit checked out.
 */
export async function checkoutBranchTip(dir: string, branch: string, remote = 'origin'): Promise<string> {
  if (!/^[\w.\-/]+$/.test(branch) || branch.includes('..')) throw new Error(`gitops.branch "${branch}" is not a branch name`);
  const root = await git(['rev-parse', '--show-toplevel'], dir);
  const tracking = `refs/remotes/${remote}/${branch}`;
  await git(['fetch', '--quiet', remote, `+refs/heads/${branch}:${tracking}`], root);
  await git(['checkout', '--quiet', '--detach', tracking], root);
  return git(['rev-parse', 'HEAD'], root);
}

/** Fetches a ref (a pull request's head) into the clone's object store; false when the remote refuses. */
export async function fetchObjects(root: string, ref: string, remote = 'origin'): Promise<boolean> {
  try {
    await git(['fetch', '--quiet', '--no-tags', remote, ref], root);
    return true;
  } catch {
    return false;
  }
}

/** The tree sha of `path` at `commit` in the local clone, or null when the clone lacks either. */
export async function localTreeSha(root: string, commit: string, path: string): Promise<string | null> {
  try {
    return await git(['rev-parse', '--verify', '--quiet', `${commit}:${path}`], root);
  } catch {
    return null;
  }
}

/** The blobs the local clone holds among `shas`, as text, read in one `git cat-file --batch`. */
export function readLocalBlobs(root: string, shas: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (!shas.length) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd: root, env: gitEnvironment(), stdio: ['pipe', 'pipe', 'ignore'], windowsHide: true });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`git cat-file --batch failed in ${root} (exit ${code})`));
      const out = Buffer.concat(chunks);
      let at = 0;
      while (at < out.length) {
        const eol = out.indexOf(10, at);
        if (eol < 0) break;
        const [sha, type, size] = out.subarray(at, eol).toString('utf8').split(' ');
        at = eol + 1;
        if (type === 'missing' || size === undefined) continue;
        if (type === 'blob') found.set(sha!, out.subarray(at, at + Number(size)).toString('utf8'));
        at += Number(size) + 1;
      }
      resolve(found);
    });
    child.stdin.end(`${shas.join('\n')}\n`);
  });
}
