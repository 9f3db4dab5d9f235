// The push half of GitOps on disk: fetch the pushed commit into the agents folder's repository and check it
// out (detached), with the git binary through execFile (no shell). Errors say which command failed and why.
import { execFile } from 'node:child_process';
import { gitEnvironment } from '../../config/environment.js';

function git(args: string[], cwd: string): Promise<string> {
  const env = gitEnvironment();
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env, timeout: 60_000, windowsHide: true }, (error, stdout, stderr) => {
      if (error) reject(new Error(`git ${args.join(' ')} failed in ${cwd}: ${String(stderr || error.message).trim()}`));
      else resolve(String(stdout).trim());
    });
  });
}

/** Fetches `branch` from `remote` and checks out `commit` (the push's `after`) in the checkout holding `dir`. */
export async function checkoutPushedCommit(dir: string, branch: string, commit: string, remote = 'origin'): Promise<string> {
  if (!/^[0-9a-f]{40}$/.test(commit)) throw new Error(`the push names no commit to check out (after: "${commit}")`);
  const root = await git(['rev-parse', '--show-toplevel'], dir);
  await git(['fetch', '--quiet', remote, `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`], root);
  await git(['checkout', '--quiet', '--detach', commit], root);
  return git(['rev-parse', 'HEAD'], root);
}
