// What the GitHub blocks share: the `repository` pin, the `github` credential, and an Octokit client
// on the configured API base URL (GitHub Enterprise) whose calls honour the run's signal and fail with
// clear errors.
import { Octokit } from '@octokit/rest';
import type { BlockContext, CredentialFieldSpec } from '../../block.types.js';
import { invalidPin } from '../../blocks.errors.js';
import { credentialFetch, operatorUrlClient } from '../../outbound/credential-attach.js';
import { bearerToken, requireCredential } from '../../outbound/credentials.js';
import { Type } from '../../pins.js';
import { translateGithubError, type GithubTarget } from './github.errors.js';

export const GITHUB_API = 'https://api.github.com';
const REPOSITORY = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;

export const REPOSITORY_PIN = Type.String({
  pattern: REPOSITORY.source,
  description: 'The repository as owner/name, e.g. octocat/hello-world.',
  'x-expected': 'a repository as owner/name, e.g. octocat/hello-world',
});

export const NUMBER_PIN = Type.Integer({ minimum: 1, description: 'The issue or pull request number.' });

export const GITHUB_CREDENTIALS: Record<string, CredentialFieldSpec> = {
  github: {
    provider: 'github',
    types: ['api_key', 'oauth2'],
    systemDefaultEnv: 'GITHUB_TOKEN',
    description: 'A GitHub token (personal access token, app installation token or OAuth2); GITHUB_TOKEN by default.',
  },
};

/** What every GitHub block shares: its category, the `github` credential and one credit an attempt. */
export const GITHUB_BLOCK = { category: 'github', credentials: GITHUB_CREDENTIALS, cost: 1 } as const;

export interface GithubSession {
  octokit: Octokit;
  owner: string;
  repo: string;
  /** Runs one API call with the run's signal; failures become clear errors about `what`. */
  call<T>(what: string, fn: (request: { signal: AbortSignal }) => Promise<T>): Promise<T>;
  /** `call` on issue or pull request `number` of the repository: `fn` gets the owner, repo, number and signal. */
  callOnIssue<T>(number: number, fn: (params: IssueParams) => Promise<T>): Promise<T>;
}

export interface IssueParams {
  owner: string;
  repo: string;
  issue_number: number;
  request: { signal: AbortSignal };
}

export function openGithubSession(blockId: string, repository: string, context: BlockContext): GithubSession {
  const match = REPOSITORY.exec(repository);
  if (!match) throw invalidPin(blockId, 'repository', `"${repository}" is not owner/name, e.g. octocat/hello-world`);
  const [, owner, repo] = match as unknown as [string, string, string];
  const credential = requireCredential(context, {
    blockId,
    field: 'github',
    types: ['api_key', 'oauth2'],
    systemDefault: 'github',
  });
  const baseUrl = (context.settings.githubBaseUrl ?? GITHUB_API).replace(/\/+$/, '');
  // The API base URL comes from config (integrations.github.base_url), the operator's choice, and may be
  // an internal GitHub Enterprise server: these calls use plain fetch, outside the private-address policy.
  // The token goes only to the credential's hosts (credential-attach.ts).
  const octokit = new Octokit({
    auth: bearerToken(credential, blockId),
    baseUrl,
    request: { fetch: credentialFetch(operatorUrlClient(context.signal), credential, ['authorization']) },
    userAgent: 'trellis',
    log: {
      debug: () => undefined,
      info: () => undefined,
      warn: (message: string) => context.logger.warn({ block: blockId }, message),
      error: (message: string) => context.logger.error({ block: blockId }, message),
    },
  });
  const target = (what: string): GithubTarget => ({ what, baseUrl, credentialName: credential.name });
  const call = async <T>(what: string, fn: (request: { signal: AbortSignal }) => Promise<T>): Promise<T> => {
    try {
      return await fn({ signal: context.signal });
    } catch (error) {
      throw translateGithubError(error, target(what), context.signal);
    }
  };
  return {
    octokit,
    owner,
    repo,
    call,
    callOnIssue: (number, fn) => call(`issue or pull request ${owner}/${repo}#${number}`, (request) => fn({ owner, repo, issue_number: number, request })),
  };
}
