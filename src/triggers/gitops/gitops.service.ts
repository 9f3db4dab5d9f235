// The GitOps loop (config `gitops`): a push to the agents repository and branch checks the pushed commit out
// into AGENTS_DIR's repository and syncs; a pull request that touches the folder gets ONE comment with the
// validation result, the plan and a Mermaid diagram of each changed agent, updated in place on new pushes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { renderMermaid } from '../../agent-format/agent.render.js';
import { readAgentsFolder } from '../../agents/agents-plan.folder.js';
import { renderPlanMarkdown } from '../../agents/agents-plan.render.js';
import { AgentsPlanService } from '../../agents/agents-plan.service.js';
import { AgentsSyncService } from '../../agents/agents-sync.service.js';
import { LOGGER } from '../../common/logger.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { systemDefaultName } from '../../config/credentials.loader.js';
import { GithubEventListeners, isAgentsRepository, repositoryFullName, type GithubRepositoryEvent } from '../github/github-events.js';
import { checkoutPushedCommit } from './gitops-git.js';
import { isOurComment, renderPullRequestComment } from './gitops-comment.js';
import { GitopsGithubClient } from './gitops-github.client.js';

const PR_ACTIONS = new Set(['opened', 'synchronize', 'reopened']);

export type GitopsOutcome =
  | { handled: false; reason: string }
  | { handled: true; kind: 'sync'; commit: string; status: string }
  | { handled: true; kind: 'comment'; comment_id: number; created: boolean };

@Injectable()
export class GitopsService implements OnModuleInit, OnModuleDestroy {
  private unsubscribe: (() => void) | null = null;
  /** Pushes check out and sync one at a time in this process (sync itself is locked across processes). */
  private pushes: Promise<unknown> = Promise.resolve();
  private readonly logger: Logger;

  constructor(
    private readonly listeners: GithubEventListeners,
    private readonly syncs: AgentsSyncService,
    private readonly planner: AgentsPlanService,
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
    const after = String(payload.after ?? '');
    if (payload.deleted === true || /^0+$/.test(after)) return Promise.resolve({ handled: false, reason: 'the branch was deleted' });
    const run = this.pushes.then(async (): Promise<GitopsOutcome> => {
      const commit = await checkoutPushedCommit(this.config.agentsDir, gitops.branch, after);
      const result = await this.syncs.sync({ trigger: 'push' });
      if (result.status === 'skipped') this.logger.warn({ commit, reason: result.reason }, `gitops: push not synced: ${result.reason}`);
      return { handled: true, kind: 'sync', commit, status: result.status };
    });
    this.pushes = run.catch(() => undefined);
    return run;
  }

  private async onPullRequest(action: string | null, payload: Record<string, unknown>): Promise<GitopsOutcome> {
    const gitops = this.config.gitops;
    if (!gitops.pr_comments) return { handled: false, reason: 'gitops.pr_comments is off' };
    if (!action || !PR_ACTIONS.has(action)) return { handled: false, reason: `pull_request.${action} needs no comment` };
    const pull = payload.pull_request as { number?: number; head?: { sha?: string } } | undefined;
    const number = Number(payload.number ?? pull?.number);
    const sha = pull?.head?.sha;
    if (!Number.isInteger(number) || !sha) return { handled: false, reason: 'the payload has no pull request number or head sha' };
    const token = this.config.credentials[systemDefaultName('github')]?.fields.key;
    if (!token) {
      this.logger.warn('gitops: cannot comment on pull requests without a GitHub token; set GITHUB_TOKEN');
      return { handled: false, reason: 'no GITHUB_TOKEN' };
    }
    const [owner, repo] = repositoryFullName(gitops.repository!).split('/') as [string, string];
    const ref = { owner, repo };
    const client = new GitopsGithubClient(token, this.config.integrations.github.base_url);
    const folder = gitops.folder.replace(/^\/+|\/+$/g, '');
    const changed = await client.changedFiles(ref, number);
    if (!changed.some((file) => file.startsWith(`${folder}/`))) return { handled: false, reason: `the pull request does not touch ${folder}/` };

    const body = await this.commentBody(client, ref, folder, sha);
    const comment = await client.upsertComment(ref, number, body, isOurComment);
    return { handled: true, kind: 'comment', comment_id: comment.id, created: comment.created };
  }

  /** The folder at the head commit, planned against the database as a sync would. */
  private async commentBody(client: GitopsGithubClient, ref: { owner: string; repo: string }, folder: string, sha: string): Promise<string> {
    const files = await client.folderAt(ref, folder, sha);
    const root = mkdtempSync(join(tmpdir(), 'trellis-gitops-'));
    try {
      mkdirSync(join(root, folder), { recursive: true });
      for (const [path, text] of files) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      }
      const read = readAgentsFolder(join(root, folder), root);
      const { plan, classified } = await this.planner.planFolder(read, sha);
      const changing = new Set(plan.agents.filter((e) => e.action === 'create' || e.action === 'update' || e.action === 'pinned').map((e) => e.name));
      const diagrams = classified.writes
        .filter((w) => changing.has(w.name) && w.version)
        .map((w) => ({ name: w.name, mermaid: renderMermaid(w.version!.agent) }));
      return renderPullRequestComment({ repository: `${ref.owner}/${ref.repo}`, sha, folder, plan, planMarkdown: renderPlanMarkdown(plan), diagrams });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
}
