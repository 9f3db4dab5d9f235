// Pull-request feedback (config gitops.pr_feedback: check | comment | both). Overlapping deliveries of one
// pull request are serialised (in this process, and across api replicas by an advisory lock), and each run
// asks the API for the pull request's head now, never the delivery's: whichever delivery runs last writes
// the newest head. One check run per head commit, one comment per pull request (found by marker AND author),
// and the comment says so when a later push makes the pull request stop touching the agents folder.
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { renderMermaid } from '../../agent-format/agent.render.js';
import { ParsedFilesCache, type AgentsFolder } from '../../agents/agents-plan.folder.js';
import { renderPlanMarkdown } from '../../agents/agents-plan.render.js';
import { AgentsPlanService } from '../../agents/agents-plan.service.js';
import { LOGGER } from '../../common/logger.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import {
  COMMENT_MARKER,
  DETAILED_VERSIONS,
  PLAN_MARKDOWN_LIMIT,
  PR_CHECK_NAME,
  renderNoLongerTouchingComment,
  renderPullRequestCheck,
  renderPullRequestComment,
  type FeedbackInput,
} from './gitops-comment.js';
import { GitopsConnection, type GitopsGithub } from './gitops-connection.js';
import type { OurComment } from './gitops-github.client.js';
import { localTreeSha } from './gitops-git.js';
import { GitopsRepository } from './gitops.repository.js';
import { KeyedSerial, Semaphore } from './gitops-serial.js';

export type PullRequestOutcome =
  | { handled: false; reason: string }
  | { handled: true; kind: 'pull_request'; sha: string; touches: boolean; check_run_id: number | null; comment_id: number | null };

/** Pull requests answered at once per process (planning is CPU-bound; each run holds a connection for its lock). */
const FEEDBACK_CONCURRENCY = 2;
/** Diagrams drawn per pull request: past a few dozen nobody reads them, and GitHub cuts the text at 65,535 characters. */
const MAX_DIAGRAMS = 25;
/** Check run ids by head commit, so a second run for the same head updates its check (bounded). */
const REMEMBERED_CHECKS = 1000;

@Injectable()
export class GitopsPullsService {
  private readonly serial = new KeyedSerial();
  /** Feedback runs at once in this process: each holds a database connection (its lock) and plans with others. */
  private readonly slots = new Semaphore(FEEDBACK_CONCURRENCY);
  private readonly checkRuns = new Map<string, number>();
  /** The next push to a pull request mostly carries the same texts: they are not parsed again. */
  private readonly parsed = new ParsedFilesCache();
  /** Set when GitHub refused a check run (a personal token cannot write them): comments carry on alone. */
  private checksRefused = false;
  private readonly logger: Logger;

  constructor(
    private readonly planner: AgentsPlanService,
    private readonly connection: GitopsConnection,
    private readonly repository: GitopsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'GitopsPullsService' });
  }

  /** Feedback for pull request `number` as it is now on GitHub (deliveries only say which one changed). */
  feedback(number: number): Promise<PullRequestOutcome> {
    const gitops = this.config.gitops;
    const check = gitops.pr_feedback !== 'comment';
    const comment = gitops.pr_feedback !== 'check' && gitops.pr_comments;
    if (!check && !comment) return Promise.resolve({ handled: false, reason: 'gitops.pr_comments is off and gitops.pr_feedback is comment' });
    const github = this.connection.github();
    if (typeof github === 'string') {
      this.logger.warn(`gitops: no pull-request feedback: ${github}`);
      return Promise.resolve({ handled: false, reason: github });
    }
    return this.serial.run(String(number), () =>
      this.slots.use(() => this.repository.withPullRequestLock(number, () => this.write(github, number, { check, comment }))),
    );
  }

  private async write(github: GitopsGithub, number: number, modes: { check: boolean; comment: boolean }): Promise<PullRequestOutcome> {
    const { client, reader, ref } = github;
    const folder = this.connection.folder;
    const pull = await client.pull(ref, number);
    if (!pull.open) return { handled: false, reason: `pull request #${number} is closed` };
    const clone = await this.connection.localClone();
    const head = await reader.read(ref, pull.headSha, folder, clone, `+refs/pull/${number}/head:refs/trellis/pull/${number}`);
    const baseTree = (clone ? await localTreeSha(clone, pull.baseSha, folder) : null) ?? (await client.subtreeSha(ref, pull.baseSha, folder));
    this.logger.debug(
      { pull: number, sha: pull.headSha, files: head.files.size, ...head.sources, tree: head.treeSha, base_tree: baseTree },
      'gitops: pull request folder read',
    );

    if (head.treeSha === baseTree) {
      const commentId = modes.comment ? await this.clearComment(github, number, folder, pull.headSha) : null;
      return { handled: true, kind: 'pull_request', sha: pull.headSha, touches: false, check_run_id: null, comment_id: commentId };
    }
    const input = await this.feedbackInput(head.files, head.exists, folder, pull.headSha);
    const checkRunId = modes.check ? await this.writeCheck(github, pull.headSha, input) : null;
    const commentId = modes.comment ? await this.writeComment(github, number, renderPullRequestComment(input)) : null;
    return { handled: true, kind: 'pull_request', sha: pull.headSha, touches: true, check_run_id: checkRunId, comment_id: commentId };
  }

  /** The folder's files planned against the database, as a sync of that commit would plan them. */
  private async feedbackInput(files: Map<string, string>, exists: boolean, folder: string, sha: string): Promise<FeedbackInput> {
    const sources = await this.parsed.parseAll([...files].map(([path, text]) => ({ path, text, display: path })));
    const agents: AgentsFolder = {
      dir: folder,
      display: folder,
      files: [...files.keys()].map((path, i) => ({ path: path.slice(folder.length + 1), source: sources[i]! })),
    };
    const { plan, classified } = await this.planner.planFolder(agents, sha, undefined, DETAILED_VERSIONS);
    if (!exists) plan.blocked = `this pull request removes ${folder}/: a sync refuses to run without the folder (it never removes every agent).`;
    const changing = new Set(plan.agents.filter((e) => e.action === 'create' || e.action === 'update' || e.action === 'pinned').map((e) => e.name));
    const drawable = classified.writes.filter((w) => changing.has(w.name) && w.version);
    const diagrams = drawable.slice(0, MAX_DIAGRAMS).map((w) => ({ name: w.name, mermaid: renderMermaid(w.version!.agent) }));
    return { sha, folder, plan, planMarkdown: renderPlanMarkdown(plan, PLAN_MARKDOWN_LIMIT), diagrams, diagramsLeftOut: drawable.length - diagrams.length };
  }

  private async writeCheck(github: GitopsGithub, sha: string, input: FeedbackInput): Promise<number | null> {
    if (this.checksRefused) return null;
    try {
      const known = this.checkRuns.get(sha) ?? (await github.client.findCheckRun(github.ref, sha, PR_CHECK_NAME));
      const id = await github.client.writeCheckRun(github.ref, known, sha, PR_CHECK_NAME, renderPullRequestCheck(input));
      this.remember(sha, id);
      return id;
    } catch (error) {
      if ((error as { status?: number }).status !== 403) throw error;
      this.checksRefused = true;
      this.logger.warn(
        `gitops: GitHub refused a check run (${(error as Error).message}); check runs need a GitHub App with checks:write ` +
          '(gitops.app_id, gitops.app_private_key). Pull requests get the comment only; set gitops.pr_feedback: comment to stop trying.',
      );
      return null;
    }
  }

  private remember(sha: string, id: number): void {
    this.checkRuns.delete(sha);
    this.checkRuns.set(sha, id);
    if (this.checkRuns.size > REMEMBERED_CHECKS) this.checkRuns.delete(this.checkRuns.keys().next().value!);
  }

  /** Updates our comment (creating it the first time); a duplicate of ours (from before serialisation) is removed. */
  private async writeComment(github: GitopsGithub, number: number, body: string, found?: OurComment[]): Promise<number> {
    const ours = found ?? (await github.client.ourComments(github.ref, number, COMMENT_MARKER, await github.auth.author()));
    const [first, ...duplicates] = ours;
    for (const duplicate of duplicates) await github.client.deleteComment(github.ref, duplicate.id);
    if (!first) return github.client.createComment(github.ref, number, body);
    if (first.body !== body) await github.client.updateComment(github.ref, first.id, body);
    return first.id;
  }

  /** The pull request does not touch the folder (any more): our comment, if any, says so; none is created. */
  private async clearComment(github: GitopsGithub, number: number, folder: string, sha: string): Promise<number | null> {
    const ours = await github.client.ourComments(github.ref, number, COMMENT_MARKER, await github.auth.author());
    if (!ours.length) return null;
    return this.writeComment(github, number, renderNoLongerTouchingComment(folder, sha), ours);
  }
}
