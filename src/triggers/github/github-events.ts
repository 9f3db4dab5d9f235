// The hook of the GitOps loop: verified `push` and `pull_request` deliveries for the configured agents
// repository (gitops.repository) are handed to every subscribed listener after their delivery is stored.
// A redelivery is not handed on again. Listeners run after the answer is decided: they never delay or
// fail GitHub's request, and their failures are logged.
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../../common/logger.js';

export const GITOPS_EVENTS = ['push', 'pull_request'] as const;
export type GitopsEventName = (typeof GITOPS_EVENTS)[number];

export interface GithubRepositoryEvent {
  event: GitopsEventName;
  action: string | null;
  delivery_id: string;
  /** owner/name, as GitHub spells it. */
  repository: string;
  payload: Record<string, unknown>;
}

export type GithubEventListener = (event: GithubRepositoryEvent) => Promise<void> | void;

@Injectable()
export class GithubEventListeners {
  private readonly listeners = new Set<GithubEventListener>();
  private readonly logger?: Logger;

  constructor(@Optional() @Inject(LOGGER) logger?: Logger) {
    this.logger = logger?.child({ component: 'GithubEventListeners' });
  }

  /** Answers the function that unsubscribes. */
  subscribe(listener: GithubEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }

  /** Calls every listener; waits for all of them (tests await it; the service does not). */
  async publish(event: GithubRepositoryEvent): Promise<void> {
    await Promise.all(
      [...this.listeners].map(async (listener) => {
        try {
          await listener(event);
        } catch (error) {
          this.logger?.error({ err: error, delivery_id: event.delivery_id, event: event.event }, 'a GitHub event listener failed');
        }
      }),
    );
  }
}

/** `owner/name` of gitops.repository, which may be written as owner/name or as a GitHub URL. */
export function repositoryFullName(configured: string): string {
  const trimmed = configured
    .trim()
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
  const ssh = /^git@[^:]+:(.+)$/.exec(trimmed);
  if (ssh) return ssh[1]!;
  try {
    const url = new URL(trimmed);
    return url.pathname.replace(/^\/+/, '');
  } catch {
    return trimmed;
  }
}

/** Whether a delivery's repository is the configured agents repository (case-insensitive, like GitHub). */
export function isAgentsRepository(configured: string | undefined, repository: string | null): boolean {
  if (!configured || !repository) return false;
  return repositoryFullName(configured).toLowerCase() === repository.toLowerCase();
}
