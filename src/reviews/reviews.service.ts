// Reviews (human.review, release-2.md section 3): opening one for a waiting node (reviewers resolved, the
// per-agent pending limit, a REVIEW_REQUESTED notice with a one-time link per reviewer), the API's list,
// read and decision, and the decision through a signed link. A decision is recorded once (a conditional
// UPDATE) and wakes the execution; the worker applies it as the node's outcome.
import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal.js';
import { compileDataSchema, problemsFromErrors } from '../blocks/pin-validation.js';
import { LOGGER } from '../common/logger.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { EngineErrorCode, type NodeError } from '../executions/engine/engine.errors.js';
import type { ReviewRequest } from '../executions/engine/wait-suspensions.js';
import { decodeCursor, encodeCursor } from '../executions/executions.views.js';
import type { WaitOwner } from '../executions/outside-waits.types.js';
import { EXECUTION_DISPATCHER, type ExecutionDispatcher } from '../executions/queue/execution-dispatcher.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import type { ReviewDecisionRecord, ReviewStatus, StoredReviewers } from './review.entity.js';
import { badDecision, badReviewCursor, reviewAlreadyDecided, reviewNotFound } from './reviews.errors.js';
import { ReviewsRepository, type ReviewerUser, type ReviewRow } from './reviews.repository.js';
import { mayDecide, mayRead, reviewStatus, reviewView, userMayDecide, type ReviewView } from './reviews.views.js';

export interface DecisionInput {
  decision: string;
  comment?: string | undefined;
  data?: unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const REVIEW_STATUS_FILTERS = ['pending', 'approved', 'rejected', 'timed_out', 'cancelled'];

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

@Injectable()
export class ReviewsService {
  private readonly logger: Logger;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: ReviewsRepository,
    private readonly notifications: NotificationsService,
    @Inject(EXECUTION_DISPATCHER) private readonly dispatcher: ExecutionDispatcher,
    @Inject(LOGGER) logger: Logger,
    metrics: MetricsService,
  ) {
    this.logger = logger.child({ component: 'ReviewsService' });
    metrics.onScrape(async () => metrics.reviewsPending.set(await repository.pendingCount()));
  }

  /** Opens the review of a waiting node (or finds it after a crash); notifies the reviewers once. */
  async open(owner: WaitOwner, request: ReviewRequest): Promise<{ id: string; expires_at: string } | { error: NodeError }> {
    const reviewers = await this.resolveReviewers(owner.graph_id, request.reviewers);
    if ('error' in reviewers) return reviewers;
    const opened = await this.repository.open(owner, request, reviewers, this.config.reviews.max_pending_per_agent);
    if (opened === 'limit')
      return {
        error: {
          code: EngineErrorCode.REVIEW_LIMIT,
          message: `Agent "${owner.graph_id}" already has ${this.config.reviews.max_pending_per_agent} pending reviews (reviews.max_pending_per_agent): decide some first.`,
        },
      };
    if (opened.created)
      await this.notify(opened.row).catch((error: unknown) => this.logger.warn({ err: error, review_id: opened.row.id }, 'could not notify the reviewers'));
    return { id: opened.row.id, expires_at: new Date(opened.row.expires_at).toISOString() };
  }

  async list(principal: Principal, query: { status?: string; limit?: number; cursor?: string }): Promise<{ items: ReviewView[]; next_cursor: string | null }> {
    if (query.status !== undefined && !REVIEW_STATUS_FILTERS.includes(query.status))
      throw badDecision(`status must be one of ${REVIEW_STATUS_FILTERS.join(', ')} (got ${JSON.stringify(query.status)}).`, { status: query.status });
    const after = decodeCursor(query.cursor, isCursor);
    if (after === null) throw badReviewCursor();
    const limit = query.limit ?? 50;
    const user = { id: principal.user.id, handle: principal.user.handle, role: principal.role };
    const rows = await this.repository.list(user, principal.role === 'admin', {
      limit,
      ...(query.status ? { status: query.status } : {}),
      ...(after ? { after } : {}),
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(reviewView),
      next_cursor: rows.length > limit && last ? encodeCursor({ created_at: new Date(last.created_at).toISOString(), id: last.id }) : null,
    };
  }

  async get(principal: Principal, id: string): Promise<ReviewView> {
    return reviewView(await this.visible(principal, id));
  }

  /** POST /api/reviews/{id}: a reviewer (or an admin) decides, once. */
  async decide(principal: Principal, id: string, input: DecisionInput): Promise<ReviewView> {
    const row = await this.visible(principal, id);
    if (!mayDecide(principal, row)) throw reviewNotFound(id);
    if (reviewStatus(row) !== 'pending') throw reviewAlreadyDecided(reviewView(row));
    return reviewView(await this.record(row, { id: principal.user.id, handle: principal.user.handle }, input, 'api'));
  }

  /** The review a link token opens (null: unknown, wrong or closed, all alike). */
  async byToken(id: string, token: string): Promise<{ row: ReviewRow; user: ReviewerUser } | null> {
    if (!UUID.test(id) || token.length < 20 || token.length > 100) return null;
    const userId = await this.repository.tokenUser(id, hashToken(token));
    if (!userId) return null;
    const [row, [user]] = await Promise.all([this.repository.get(id), this.repository.usersById([userId])]);
    if (!row || !user || !userMayDecide(user, row)) return null;
    return { row, user };
  }

  /** POST /reviews/{id}?token=: decides as the token's user (approve or reject); the token dies. Null: 404. */
  async decideByToken(id: string, token: string, input: DecisionInput): Promise<ReviewView | null> {
    const found = await this.byToken(id, token);
    if (!found) return null;
    if (input.decision !== 'approve' && input.decision !== 'reject')
      throw badDecision('Through a link you may approve or reject; edit the data through the API.');
    return reviewView(await this.record(found.row, found.user, input, 'link'));
  }

  /** The review timed out (unless decided first). */
  async expire(id: string): Promise<ReviewRow | null> {
    return this.repository.expire(id);
  }

  async ended(ids: string[]): Promise<ReviewRow[]> {
    return this.repository.ended(ids);
  }

  /** The tool-call reviews of an ai.agent node execution. */
  async ofToolCalls(nodeExecutionId: string): Promise<ReviewRow[]> {
    return this.repository.ofToolCalls(nodeExecutionId);
  }

  async executionsEnded(executionIds: string[]): Promise<void> {
    await this.repository.cancelForExecutions(executionIds);
  }

  private async record(row: ReviewRow, by: { id: string; handle: string }, input: DecisionInput, via: 'api' | 'link'): Promise<ReviewRow> {
    const { status, data } = this.checkDecision(row, input);
    const decision: ReviewDecisionRecord = {
      decision: input.decision,
      by: by.handle,
      by_user_id: by.id,
      at: new Date().toISOString(),
      comment: input.comment ?? null,
      via,
    };
    const decided = await this.repository.decide(row.id, status, data, decision);
    if (!decided) {
      const now = await this.repository.get(row.id);
      throw reviewAlreadyDecided(reviewView(now ?? row));
    }
    this.logger.info({ review_id: row.id, execution_id: row.execution_id, decision: input.decision, by: by.id, via }, 'review decided');
    await this.dispatcher
      .dispatch(row.execution_id)
      .catch((error: unknown) => this.logger.warn({ err: error, execution_id: row.execution_id }, 'dispatch failed; the sweep wakes the execution'));
    return decided;
  }

  private checkDecision(row: ReviewRow, input: DecisionInput): { status: ReviewStatus; data: unknown } {
    if (!row.decisions.includes(input.decision))
      throw badDecision(`This review offers ${row.decisions.join(', ')}; "${input.decision}" is not one of them.`, { decisions: row.decisions });
    if (input.comment !== undefined && (typeof input.comment !== 'string' || input.comment.length > 10_000))
      throw badDecision('comment must be text of at most 10000 characters.');
    if (input.decision !== 'edit') {
      if (input.data !== undefined) throw badDecision('data goes with the edit decision only.');
      return { status: input.decision === 'approve' ? 'approved' : 'rejected', data: row.data };
    }
    if (input.data === undefined) throw badDecision('An edit decision needs the edited value in data.');
    const validate = compileDataSchema(row.schema ?? {});
    if (!validate(input.data)) {
      const problems = problemsFromErrors(validate.errors).map((p) => p.message);
      throw badDecision(`The edited data does not match the review's schema: ${problems.join('; ')}`, { problems });
    }
    return { status: 'approved', data: input.data };
  }

  private async visible(principal: Principal, id: string): Promise<ReviewRow> {
    const row = UUID.test(id) ? await this.repository.get(id) : null;
    if (!row || !mayRead(principal, row)) throw reviewNotFound(id);
    return row;
  }

  /** Reviewers as stored (user ids, roles); default: the agent's owner (a file agent without one: admins). */
  private async resolveReviewers(graphId: string, reviewers: ReviewRequest['reviewers']): Promise<StoredReviewers | { error: NodeError }> {
    if (reviewers && (reviewers.users.length > 0 || reviewers.roles.length > 0)) {
      const users = await this.repository.usersByHandle(reviewers.users);
      const missing = reviewers.users.filter((handle) => !users.some((u) => u.handle === handle));
      if (missing.length > 0)
        return {
          error: { code: EngineErrorCode.NODE_FAILED, message: `human.review names reviewers that are not users: ${missing.join(', ')}. Fix the handles.` },
        };
      return { users: users.map((u) => u.id), roles: reviewers.roles };
    }
    const owner = await this.repository.graphOwner(graphId);
    const ownerId = owner?.owner_id ?? (owner?.source === 'file' ? null : (owner?.created_by ?? null));
    return ownerId ? { users: [ownerId], roles: [] } : { users: [], roles: ['admin'] };
  }

  /** REVIEW_REQUESTED to each reviewer; email, Slack and webhook get the reviewer's own link (in-app never does). */
  private async notify(row: ReviewRow): Promise<void> {
    const named = await this.repository.usersById(row.reviewers.users);
    const byRole = await this.repository.usersByRole(row.reviewers.roles);
    const reviewers = [...new Map([...named, ...byRole].map((u) => [u.id, u])).values()].filter((u) => userMayDecide(u, row));
    const base = this.config.server.public_url?.replace(/\/+$/, '');
    const tokens: Array<{ token_hash: string; review_id: string; user_id: string }> = [];
    const links = new Map<string, string>();
    if (base)
      for (const user of reviewers) {
        const token = randomBytes(32).toString('base64url');
        tokens.push({ token_hash: hashToken(token), review_id: row.id, user_id: user.id });
        links.set(user.id, `${base}/reviews/${row.id}?token=${token}`);
      }
    await this.repository.insertTokens(tokens);
    const data = { review_id: row.id, execution_id: row.execution_id, graph_id: row.graph_id, node_id: row.node_id, decisions: row.decisions };
    for (const user of reviewers) {
      const link = links.get(user.id);
      await this.notifications.notifyUser(user.id, {
        kind: 'REVIEW_REQUESTED',
        title: `Review requested: ${row.title}`,
        body: `${row.graph_id} asks you to decide: ${row.title}. Decide with POST /api/reviews/${row.id} or trellis reviews decide.`,
        data,
        executionId: row.execution_id,
        ...(link ? { external: { body: `${row.graph_id} asks you to decide: ${row.title}\n\nOpen the review: ${link}`, data: { ...data, url: link } } } : {}),
      });
    }
  }
}

function isCursor(value: unknown): value is { created_at: string; id: string } {
  const v = value as { created_at?: unknown; id?: unknown } | null;
  return typeof v === 'object' && v !== null && typeof v.created_at === 'string' && typeof v.id === 'string' && UUID.test(v.id);
}
