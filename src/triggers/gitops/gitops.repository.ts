// The GitOps loop's own SQL: a transaction-scoped advisory lock per pull request, so that api replicas
// answering overlapping deliveries of one pull request write its feedback one after the other.
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/** First key of the two-key advisory locks of pull-request feedback (the second is the pull request number). */
export const GITOPS_PULL_LOCK_SPACE = 74_123_002;

@Injectable()
export class GitopsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs `work` holding the pull request's lock (waits for another holder to commit). */
  withPullRequestLock<T>(number: number, work: () => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager: EntityManager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', [GITOPS_PULL_LOCK_SPACE, number]);
      return work();
    });
  }
}
