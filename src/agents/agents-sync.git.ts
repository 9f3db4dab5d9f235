// The Git facts sync needs about the agents folder: its commit, and whether it is behind the last synced
// one. Runs the git binary (execFile, no shell); no git, or no checkout, answers null.
import { execFile } from 'node:child_process';
import { gitEnvironment } from '../config/environment.js';

/** Commands run in the folder itself, whatever GIT_DIR the process was started with. */
function git(args: string[], cwd: string): Promise<{ code: number; stdout: string }> {
  const env = gitEnvironment();
  return new Promise((resolve) => {
    execFile('git', args, { cwd, env, timeout: 15_000, windowsHide: true }, (error, stdout) => {
      if (!error) return resolve({ code: 0, stdout: String(stdout) });
      const code = typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -1;
      resolve({ code, stdout: String(stdout ?? '') });
    });
  });
}

/** The commit the folder's checkout is at (`git rev-parse HEAD`), or null when it is not a Git checkout. */
export async function gitCommit(dir: string): Promise<string | null> {
  const { code, stdout } = await git(['rev-parse', '--verify', '--quiet', 'HEAD'], dir);
  const commit = stdout.trim();
  return code === 0 && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit) ? commit : null;
}

export type Ancestry = 'ancestor' | 'not-ancestor' | 'unknown';

/** Whether `commit` is an ancestor of `of` in the folder's repository (`git merge-base --is-ancestor`). */
export async function commitAncestry(dir: string, commit: string, of: string): Promise<Ancestry> {
  const { code } = await git(['merge-base', '--is-ancestor', commit, of], dir);
  if (code === 0) return 'ancestor';
  return code === 1 ? 'not-ancestor' : 'unknown';
}

const short = (commit: string): string => commit.slice(0, 12);

/**
 * Why this folder must not sync: its commit is an ancestor of the last synced one (an older replica of a
 * rolling deploy would flip versions back). Null when it may sync: no Git, same commit, newer or unrelated.
 */
export async function behindReason(dir: string, commit: string | null, lastSynced: string | null): Promise<string | null> {
  if (!commit || !lastSynced || commit === lastSynced) return null;
  if ((await commitAncestry(dir, commit, lastSynced)) !== 'ancestor') return null;
  return (
    `the agents folder is at commit ${short(commit)}, an ancestor of ${short(lastSynced)}, the last synced commit; ` +
    'an older checkout does not sync, so a rolling deploy never flips versions back. Update the checkout (git pull), then sync again.'
  );
}
