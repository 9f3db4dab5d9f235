// The agents folder at a pull request's head, without a checkout: one recursive Git trees request lists
// every file with its blob sha, and the texts come from (1) blobs already read (content-addressed, so
// always right), (2) the local clone's objects, after fetching the pull request's head into it when many
// are missing, (3) the blobs API for whatever is left. 10,000 agents cost a constant number of API requests
// when the clone can fetch, and never the contents API's 1,000-entries-per-directory cut.
import type { GitopsGithubClient, RepoRef, TreeEntry } from './gitops-github.client.js';
import { fetchObjects, readLocalBlobs } from './gitops-git.js';

const AGENT_FILE = /\.ya?ml$/i;
/** Past this many blobs missing locally, fetching the head into the clone is cheaper than the blobs API. */
const FETCH_THRESHOLD = 20;

export interface FolderAtCommit {
  /** False when the commit has no such folder. */
  exists: boolean;
  /** The folder's tree sha (null when absent): equal shas mean equal folders. */
  treeSha: string | null;
  /** Agent files: path relative to the repository -> text, sorted by path. */
  files: Map<string, string>;
  /** Where texts came from, for logs and the bench. */
  sources: { cached: number; local: number; api: number };
}

/** Whether a repository path is an agent file of the folder, as sync's folder walk picks them. */
export function isAgentFile(path: string, folder: string): boolean {
  if (!path.startsWith(`${folder}/`) || !AGENT_FILE.test(path)) return false;
  return !path
    .slice(folder.length + 1)
    .split('/')
    .some((part) => part.startsWith('.') || part === 'node_modules');
}

export class GitopsFolderReader {
  /** Blob sha -> text of the last read: a pull request's next push mostly carries the same blobs. */
  private texts = new Map<string, string>();

  constructor(private readonly client: GitopsGithubClient) {}

  /**
   * The folder at `commit`. `clone` is the local checkout's top folder (null: API only); `fetchRef` is what
   * to fetch into it when it lacks many blobs (a pull request's `refs/pull/<n>/head`).
   */
  async read(ref: RepoRef, commit: string, folder: string, clone: string | null, fetchRef: string | null): Promise<FolderAtCommit> {
    const entries = await this.client.tree(ref, commit, folder);
    const root = entries.find((e) => e.path === folder && e.type === 'tree');
    const blobs = entries.filter((e): e is TreeEntry => e.type === 'blob' && isAgentFile(e.path, folder)).sort((a, b) => a.path.localeCompare(b.path));
    const texts = new Map<string, string>();
    const sources = { cached: 0, local: 0, api: 0 };
    for (const blob of blobs) {
      const text = this.texts.get(blob.sha);
      if (text !== undefined) texts.set(blob.sha, text);
    }
    sources.cached = texts.size;
    const missing = (): string[] => [...new Set(blobs.map((b) => b.sha).filter((sha) => !texts.has(sha)))];
    if (clone && missing().length) {
      let local = await readLocalBlobs(clone, missing());
      if (missing().length - local.size > FETCH_THRESHOLD && fetchRef && (await fetchObjects(clone, fetchRef))) local = await readLocalBlobs(clone, missing());
      for (const [sha, text] of local) texts.set(sha, text);
      sources.local = local.size;
    }
    const rest = missing();
    if (rest.length) {
      for (const [sha, text] of await this.client.blobs(ref, rest)) texts.set(sha, text);
      sources.api = rest.length;
    }
    this.texts = texts;
    return { exists: !!root, treeSha: root?.sha ?? null, files: new Map(blobs.map((b) => [b.path, texts.get(b.sha)!])), sources };
  }
}
