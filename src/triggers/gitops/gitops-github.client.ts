// The GitHub REST calls of GitOps, with @octokit/rest on integrations.github.base_url: the pull request as
// the API sees it now (its head, never the delivery's), the folder through the Git trees API, blobs, check
// runs, issue comments and commit statuses. Authentication (a token, or a GitHub App's installation token)
// comes from GitopsAuth; every call asks it for a current Octokit.
import type { Octokit } from '@octokit/rest';

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface PullHead {
  number: number;
  open: boolean;
  headSha: string;
  baseSha: string;
}

export interface TreeEntry {
  path: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
}

export interface CheckRunWrite {
  status?: 'queued' | 'in_progress' | 'completed';
  conclusion?: 'success' | 'failure' | 'neutral' | 'action_required';
  title: string;
  summary: string;
  text?: string;
  annotations: CheckAnnotation[];
}

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
}

export interface OurComment {
  id: number;
  body: string;
}

/** GitHub takes at most 50 annotations per check-run request; more go in further updates. */
const ANNOTATIONS_PER_REQUEST = 50;
/** Blob requests in flight at once when blobs are read through the API. */
const BLOB_CONCURRENCY = 8;

export class GitopsGithubClient {
  constructor(private readonly octokit: () => Promise<Octokit>) {}

  async pull(ref: RepoRef, number: number): Promise<PullHead> {
    const { data } = await (await this.octokit()).rest.pulls.get({ ...ref, pull_number: number });
    return { number, open: data.state === 'open', headSha: data.head.sha, baseSha: data.base.sha };
  }

  /** Every entry of the commit's tree, in one request (GitHub truncates past 100,000 entries: then the folder's own tree). */
  async tree(ref: RepoRef, commit: string, folder: string): Promise<TreeEntry[]> {
    const octokit = await this.octokit();
    const { data } = await octokit.rest.git.getTree({ ...ref, tree_sha: commit, recursive: 'true' });
    const entries = data.tree.map((e) => ({ path: e.path, type: e.type as TreeEntry['type'], sha: e.sha }));
    if (!data.truncated) return entries;
    const folderSha = await this.subtreeSha(ref, commit, folder);
    if (!folderSha) return [];
    const sub = await octokit.rest.git.getTree({ ...ref, tree_sha: folderSha, recursive: 'true' });
    if (sub.data.truncated) throw new Error(`the tree of ${folder}/ at ${commit.slice(0, 12)} is too large for the Git trees API (over 100,000 entries)`);
    return [
      { path: folder, type: 'tree', sha: folderSha },
      ...sub.data.tree.map((e) => ({ path: `${folder}/${e.path}`, type: e.type as TreeEntry['type'], sha: e.sha })),
    ];
  }

  /** The tree sha of `folder` at `commit`, one request per path segment (null when the folder is absent). */
  async subtreeSha(ref: RepoRef, commit: string, folder: string): Promise<string | null> {
    const octokit = await this.octokit();
    let sha = commit;
    for (const segment of folder.split('/')) {
      const { data } = await octokit.rest.git.getTree({ ...ref, tree_sha: sha });
      const entry = data.tree.find((e) => e.path === segment && e.type === 'tree');
      if (!entry?.sha) return null;
      sha = entry.sha;
    }
    return sha;
  }

  /** Blob texts by sha, a few requests at a time. */
  async blobs(ref: RepoRef, shas: string[]): Promise<Map<string, string>> {
    const octokit = await this.octokit();
    const texts = new Map<string, string>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < shas.length) {
        const sha = shas[next++]!;
        const { data } = await octokit.rest.git.getBlob({ ...ref, file_sha: sha });
        texts.set(sha, Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8'));
      }
    };
    await Promise.all(Array.from({ length: Math.min(BLOB_CONCURRENCY, shas.length) }, worker));
    return texts;
  }

  /** Our check run of this name on the commit, if one exists. */
  async findCheckRun(ref: RepoRef, sha: string, name: string): Promise<number | null> {
    const { data } = await (await this.octokit()).rest.checks.listForRef({ ...ref, ref: sha, check_name: name, filter: 'latest', per_page: 10 });
    return data.check_runs[0]?.id ?? null;
  }

  /** Creates (id null) or updates a check run; annotations past 50 go in further updates, as GitHub requires. */
  async writeCheckRun(ref: RepoRef, id: number | null, sha: string, name: string, write: CheckRunWrite): Promise<number> {
    const octokit = await this.octokit();
    const batches: CheckAnnotation[][] = [];
    for (let i = 0; i < write.annotations.length; i += ANNOTATIONS_PER_REQUEST) batches.push(write.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
    const output = (annotations: CheckAnnotation[]) => ({
      title: write.title,
      summary: write.summary,
      ...(write.text !== undefined ? { text: write.text } : {}),
      ...(annotations.length ? { annotations } : {}),
    });
    const state = {
      ...(write.status ? { status: write.status } : {}),
      ...(write.conclusion ? { conclusion: write.conclusion, completed_at: new Date().toISOString() } : {}),
    };
    let runId = id;
    if (runId === null) runId = (await octokit.rest.checks.create({ ...ref, name, head_sha: sha, ...state, output: output(batches[0] ?? []) })).data.id;
    else await octokit.rest.checks.update({ ...ref, check_run_id: runId, ...state, output: output(batches[0] ?? []) });
    for (const batch of batches.slice(1)) await octokit.rest.checks.update({ ...ref, check_run_id: runId, output: output(batch) });
    return runId;
  }

  /** Our comments on the issue: they carry the marker AND were written by us (anyone can paste a marker). */
  async ourComments(ref: RepoRef, issue: number, marker: string, author: string): Promise<OurComment[]> {
    const octokit = await this.octokit();
    const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...ref, issue_number: issue, per_page: 100 });
    return comments
      .filter((c) => typeof c.body === 'string' && c.body.includes(marker) && c.user?.login.toLowerCase() === author.toLowerCase())
      .map((c) => ({ id: c.id, body: c.body! }));
  }

  async createComment(ref: RepoRef, issue: number, body: string): Promise<number> {
    return (await (await this.octokit()).rest.issues.createComment({ ...ref, issue_number: issue, body })).data.id;
  }

  async updateComment(ref: RepoRef, id: number, body: string): Promise<void> {
    await (await this.octokit()).rest.issues.updateComment({ ...ref, comment_id: id, body });
  }

  async deleteComment(ref: RepoRef, id: number): Promise<void> {
    await (await this.octokit()).rest.issues.deleteComment({ ...ref, comment_id: id });
  }

  async commitStatus(ref: RepoRef, sha: string, state: 'success' | 'failure' | 'error' | 'pending', context: string, description: string): Promise<void> {
    const short = description.length > 140 ? `${description.slice(0, 139)}…` : description;
    await (await this.octokit()).rest.repos.createCommitStatus({ ...ref, sha, state, context, description: short });
  }

  /** The commit a branch points at. */
  async branchSha(ref: RepoRef, branch: string): Promise<string> {
    return (await (await this.octokit()).rest.git.getRef({ ...ref, ref: `heads/${branch}` })).data.object.sha;
  }

  async createBranch(ref: RepoRef, branch: string, sha: string): Promise<void> {
    await (await this.octokit()).rest.git.createRef({ ...ref, ref: `refs/heads/${branch}`, sha });
  }

  /** Whether `path` exists at `branch`. */
  async exists(ref: RepoRef, path: string, branch: string): Promise<boolean> {
    try {
      await (await this.octokit()).rest.repos.getContent({ ...ref, path, ref: branch });
      return true;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return false;
      throw error;
    }
  }

  /** Commits a new file on `branch`; answers the commit. */
  async createFile(ref: RepoRef, path: string, branch: string, message: string, text: string): Promise<string> {
    const { data } = await (
      await this.octokit()
    ).rest.repos.createOrUpdateFileContents({
      ...ref,
      path,
      branch,
      message,
      content: Buffer.from(text, 'utf8').toString('base64'),
    });
    return data.commit.sha ?? '';
  }

  async openPull(ref: RepoRef, pull: { title: string; head: string; base: string; body: string }): Promise<{ number: number; url: string }> {
    const { data } = await (await this.octokit()).rest.pulls.create({ ...ref, ...pull });
    return { number: data.number, url: data.html_url };
  }
}
