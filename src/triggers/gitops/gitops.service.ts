// The GitOps loop (config `gitops`): a push to the agents repository and branch fetches the branch, checks
// out its tip in AGENTS_DIR's clone (never an older commit, whatever order deliveries arrive in) and syncs,
// then reports what it skipped: a log line per problem, and a check run (GitHub App) or commit status (token)
// on the synced commit. A pull request touching the folder gets feedback from GitopsPullsService.
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { renderPlanMarkdown } from '../../agents/agents-plan.render.js';
import { AgentsSyncService, type SyncResult } from '../../agents/agents-sync.service.js';
import { LOGGER } from '../../common/logger.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { GithubEventListeners, isAgentsRepository, type GithubRepositoryEvent } from '../github/github-events.js';
import { PLAN_MARKDOWN_LIMIT, PUSH_CHECK_NAME, pushStatusLine, renderPushCheck } from './gitops-comment.js';
import { GitopsConnection } from './gitops-connection.js';
import { checkoutBranchTip } from './gitops-git.js';
import { GitopsPullsService, type PullRequestOutcome } from './gitops-pulls.service.js';

const PR_ACTIONS = new Set(['opened', 'synchronize', 'reopened', 'ready_for_review']);

export type GitopsOutcome =
  { handled: false; reason: string } | { handled: true; kind: 'sync'; commit: string; status: string; skipped_files: string[] } | PullRequestOutcome;

@Injectable()
export class GitopsService implements OnModuleInit, OnModuleDestroy {
  private unsubscribe: (() => void) | null = null;
  /** Pushes check out and sync one at a time in this process (sync itself is locked across processes). */
  private pushes: Promise<unknown> = Promise.resolve();
  private readonly logger: Logger;

  constructor(
    private readonly listeners: GithubEventListeners,
    private readonly syncs: AgentsSyncService,
    private readonly pulls: GitopsPullsService,
    private readonly connection: GitopsConnection,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'GitopsService' });
  }

  onModuleInit(): void {
    this.unsubscribe = this.listeners.subscribe(async (event) => {
      const outcome = await this.handle(event);
      if (outcome.handled) this.logger.info({ delivery_id: event.delivery_id, ...outcome }, `gitops: ${event.event} handled`);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  async handle(event: GithubRepositoryEvent): Promise<GitopsOutcome> {
    const gitops = this.config.gitops;
    if (!isAgentsRepository(gitops.repository, event.repository)) return { handled: false, reason: 'not the agents repository' };
    if (event.event === 'push') return this.onPush(event.payload);
    if (event.event === 'pull_request') return this.onPullRequest(event.action, event.payload);
    return { handled: false, reason: `event ${event.event} is not used by gitops` };
  }

  private onPush(payload: Record<string, unknown>): Promise<GitopsOutcome> {
    const gitops = this.config.gitops;
    if (!gitops.sync_on_push) return Promise.resolve({ handled: false, reason: 'gitops.sync_on_push is off' });
    if (payload.ref !== `refs/heads/${gitops.branch}`)
      return Promise.resolve({ handled: false, reason: `push to ${String(payload.ref)}, not refs/heads/${gitops.branch}` });
    if (payload.deleted === true || /^0+$/.test(String(payload.after ?? ''))) return Promise.resolve({ handled: false, reason: 'the branch was deleted' });
    const run = this.pushes.then(async (): Promise<GitopsOutcome> => {
      const commit = await checkoutBranchTip(this.config.agentsDir, gitops.branch);
      const result = await this.syncs.sync({ trigger: 'push' });
      const skipped = await this.reportPush(commit, result);
      return { handled: true, kind: 'sync', commit, status: result.status, skipped_files: skipped };
    });
    this.pushes = run.catch(() => undefined);
    return run;
  }

  /** Log, and check or status: a skipped file is reported where the author looks. Answers the skipped files. */
  private async reportPush(commit: string, result: SyncResult): Promise<string[]> {
    const folder = this.connection.folder;
    const invalid = result.agents.filter((e) => e.action === 'invalid');
    if (result.status === 'skipped') this.logger.warn({ commit, reason: result.reason }, `gitops: push not synced: ${result.reason}`);
    for (const entry of invalid)
      for (const problem of entry.problems.filter((p) => p.severity === 'error'))
        this.logger.warn(
          { commit, agent: entry.name, file: `${folder}/${entry.file}`, line: problem.line, column: problem.column },
          `gitops: ${folder}/${entry.file}:${problem.line ?? 1}:${problem.column ?? 1} skipped (last good version kept): ${problem.message}`,
        );
    const skipped = invalid.map((e) => `${folder}/${e.file}`);
    await this.writePushFeedback(commit, result).catch((error: unknown) =>
      this.logger.warn({ err: error, commit }, `gitops: could not report the sync of ${commit.slice(0, 12)} on GitHub: ${(error as Error).message}`),
    );
    return skipped;
  }

  /** A check run on the synced commit when we are a GitHub App (checks need one), else a commit status. */
  private async writePushFeedback(commit: string, result: SyncResult): Promise<void> {
    const github = this.connection.github();
    if (typeof github === 'string') return;
    const invalid = result.agents.some((e) => e.action === 'invalid');
    if (github.auth.kind === 'app') {
      const write = renderPushCheck(result, this.connection.folder, result.status, result.reason, renderPlanMarkdown(result, PLAN_MARKDOWN_LIMIT));
      const known = await github.client.findCheckRun(github.ref, commit, PUSH_CHECK_NAME);
      await github.client.writeCheckRun(github.ref, known, commit, PUSH_CHECK_NAME, write);
      return;
    }
    const state = result.status === 'skipped' ? 'error' : invalid ? 'failure' : 'success';
    await github.client.commitStatus(github.ref, commit, state, 'trellis/agents-sync', pushStatusLine(result, this.connection.folder, result.status));
  }

  private async onPullRequest(action: string | null, payload: Record<string, unknown>): Promise<GitopsOutcome> {
    if (!action || !PR_ACTIONS.has(action)) return { handled: false, reason: `pull_request.${action} needs no feedback` };
    const pull = payload.pull_request as { number?: number } | undefined;
    const number = Number(payload.number ?? pull?.number);
    if (!Number.isInteger(number) || number <= 0) return { handled: false, reason: 'the payload has no pull request number' };
    return this.pulls.feedback(number);
  }
}
