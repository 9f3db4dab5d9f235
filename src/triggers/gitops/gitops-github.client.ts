// The GitHub REST calls of the PR half of GitOps, with @octokit/rest on integrations.github.base_url.
import { Octokit } from '@octokit/rest';

export interface RepoRef {
  owner: string;
  repo: string;
}

export class GitopsGithubClient {
  private readonly octokit: Octokit;

  constructor(token: string, baseUrl = 'https://api.github.com') {
    this.octokit = new Octokit({
      auth: token,
      baseUrl: baseUrl.replace(/\/+$/, ''),
      userAgent: 'trellis-gitops',
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    });
  }

  async changedFiles(ref: RepoRef, pull: number): Promise<string[]> {
    const files = await this.octokit.paginate(this.octokit.rest.pulls.listFiles, { ...ref, pull_number: pull, per_page: 100 });
    return files.flatMap((f) => [f.filename, ...(f.previous_filename ? [f.previous_filename] : [])]);
  }

  /** Every file under `path` at `sha` (path relative to the repository -> text). */
  async folderAt(ref: RepoRef, path: string, sha: string): Promise<Map<string, string>> {
    const files = new Map<string, string>();
    const walk = async (dir: string): Promise<void> => {
      let listing;
      try {
        listing = (await this.octokit.rest.repos.getContent({ ...ref, path: dir, ref: sha })).data;
      } catch (error) {
        if ((error as { status?: number }).status === 404) return;
        throw error;
      }
      for (const entry of Array.isArray(listing) ? listing : [listing]) {
        if (entry.type === 'dir') await walk(entry.path);
        else if (entry.type === 'file' && /\.ya?ml$/i.test(entry.name)) {
          const file = (await this.octokit.rest.repos.getContent({ ...ref, path: entry.path, ref: sha })).data as { content?: string; encoding?: string };
          files.set(entry.path, Buffer.from(file.content ?? '', file.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8'));
        }
      }
    };
    await walk(path);
    return files;
  }

  async upsertComment(
    ref: RepoRef,
    issue: number,
    body: string,
    isOurs: (body: string | null | undefined) => boolean,
  ): Promise<{ id: number; created: boolean }> {
    const comments = await this.octokit.paginate(this.octokit.rest.issues.listComments, { ...ref, issue_number: issue, per_page: 100 });
    const ours = comments.find((c) => isOurs(c.body));
    if (ours) {
      await this.octokit.rest.issues.updateComment({ ...ref, comment_id: ours.id, body });
      return { id: ours.id, created: false };
    }
    const created = await this.octokit.rest.issues.createComment({ ...ref, issue_number: issue, body });
    return { id: created.data.id, created: true };
  }
}
