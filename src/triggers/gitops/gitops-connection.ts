// The GitOps loop's view of GitHub, built once from config: the agents repository, the folder's path in it,
// how we authenticate (a GitHub App when gitops.app_id is set, else the GITHUB_TOKEN system credential),
// the REST client and the folder reader with its blob cache. Says plainly what is missing when it can't.
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { systemDefaultName } from '../../config/credentials.loader.js';
import { repositoryFullName } from '../github/github-events.js';
import { AppAuth, TokenAuth, type GitopsAuth } from './gitops-auth.js';
import { GitopsFolderReader } from './gitops-folder.js';
import { GitopsGithubClient, type RepoRef } from './gitops-github.client.js';
import { repositoryRoot } from './gitops-git.js';

export interface GitopsGithub {
  auth: GitopsAuth;
  client: GitopsGithubClient;
  reader: GitopsFolderReader;
  ref: RepoRef;
}

@Injectable()
export class GitopsConnection {
  private built: GitopsGithub | string | null = null;
  private clone: Promise<string | null> | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** The agents folder's path inside the repository (`gitops.folder`, without slashes at either end). */
  get folder(): string {
    return this.config.gitops.folder.replace(/^\/+|\/+$/g, '');
  }

  /** The top of AGENTS_DIR's clone, or null when AGENTS_DIR is not in one. */
  localClone(): Promise<string | null> {
    this.clone ??= repositoryRoot(this.config.agentsDir).catch(() => null);
    return this.clone;
  }

  /** GitHub access, or why there is none. */
  github(): GitopsGithub | string {
    this.built ??= this.build();
    return this.built;
  }

  private build(): GitopsGithub | string {
    const gitops = this.config.gitops;
    if (!gitops.repository) return 'gitops.repository is not set';
    const [owner, repo] = repositoryFullName(gitops.repository).split('/');
    if (!owner || !repo) return `gitops.repository "${gitops.repository}" is not owner/name or a GitHub URL`;
    const ref = { owner, repo };
    const baseUrl = this.config.integrations.github.base_url ?? 'https://api.github.com';
    let auth: GitopsAuth;
    if (gitops.app_id) {
      if (!gitops.app_private_key) return 'gitops.app_id is set but gitops.app_private_key is not: give the GitHub App private key (PEM text or a file path)';
      try {
        auth = new AppAuth({ appId: gitops.app_id, privateKey: gitops.app_private_key, installationId: gitops.app_installation_id }, baseUrl, ref);
      } catch (error) {
        return (error as Error).message;
      }
    } else {
      const token = this.config.credentials[systemDefaultName('github')]?.fields.key;
      if (!token) return 'no GitHub credentials: set GITHUB_TOKEN, or gitops.app_id and gitops.app_private_key for a GitHub App';
      auth = new TokenAuth(token, baseUrl);
    }
    const client = new GitopsGithubClient(() => auth.octokit());
    return { auth, client, reader: new GitopsFolderReader(client), ref };
  }
}
