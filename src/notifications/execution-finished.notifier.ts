// EXECUTION_FINISHED_HOOK: a COMPLETED execution sends AGENT_RUN and a FAILED one EXECUTION_FAILED to the
// execution's user (their preferences decide where; AGENT_RUN goes nowhere by default), plus the agent's
// notify: on_success / on_failure channels. A CANCELLED execution sends nothing.
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { COMPONENT_LOGGER } from '../common/logger.js';
import type { ExecutionFinishedHook, FinishedExecution } from '../executions/execution.hooks.js';
import { TickBatcher } from '../executions/tick-batcher.js';
import type { NotifySettings } from '../agent-format/graph.types.js';
import type { NotificationKind } from '../users/notification-preferences.types.js';
import { NotificationsRepository, type Recipient } from './notifications.repository.js';
import { NotificationsService, type NoticeInput } from './notifications.service.js';

/** Graph versions whose `notify:` is kept (versions are immutable, so entries never go stale). */
const NOTIFY_CACHE_SIZE = 1_000;

@Injectable()
export class ExecutionFinishedNotifier implements ExecutionFinishedHook {
  private readonly notifyCache = new Map<string, NotifySettings | null>();
  /** The users of executions that finished in the same turn of the event loop: read in one query. */
  private readonly recipients = new TickBatcher<string, Recipient>(async (ids) => new Map((await this.repository.recipients(ids)).map((row) => [row.id, row])));
  constructor(
    private readonly notifications: NotificationsService,
    private readonly repository: NotificationsRepository,
    @Inject(COMPONENT_LOGGER) private readonly logger: Logger,
  ) {}

  async finished(execution: FinishedExecution): Promise<void> {
    if (execution.status === 'CANCELLED') return;
    const notice = executionNotice(execution);
    const notify = await this.agentNotify(execution.graph_id, execution.graph_version);
    const channels = execution.status === 'COMPLETED' ? notify?.on_success : notify?.on_failure;
    const toUser = this.recipients.get(execution.user_id).then((recipient) => this.notifications.notifyRecipient(execution.user_id, recipient, notice));
    const results = await Promise.allSettled([toUser, channels?.length ? this.notifications.notifyChannels(channels, notice) : Promise.resolve()]);
    for (const result of results) {
      if (result.status === 'rejected')
        this.logger.warn({ err: result.reason, execution_id: execution.id }, 'could not send the notifications of a finished execution');
    }
  }

  private async agentNotify(graphId: string, version: number): Promise<NotifySettings | null> {
    const key = `${graphId}@${version}`;
    const cached = this.notifyCache.get(key);
    if (cached !== undefined) return cached;
    const notify = await this.repository.agentNotify(graphId, version);
    if (this.notifyCache.size >= NOTIFY_CACHE_SIZE) this.notifyCache.clear();
    this.notifyCache.set(key, notify);
    return notify;
  }
}

/** The notice of a finished (COMPLETED or FAILED) execution. */
export function executionNotice(execution: FinishedExecution): NoticeInput {
  const failed = execution.status === 'FAILED';
  const kind: NotificationKind = failed ? 'EXECUTION_FAILED' : 'AGENT_RUN';
  const error = execution.error;
  const title = failed ? `${execution.graph_id} failed` : `${execution.graph_id} completed`;
  const body = failed
    ? `Execution ${execution.id} of ${execution.graph_id} (version ${execution.graph_version}) failed${error ? `: ${error.code}: ${error.message}` : ''}. See GET /api/executions/${execution.id}.`
    : `Execution ${execution.id} of ${execution.graph_id} (version ${execution.graph_version}) completed. Results: GET /api/executions/${execution.id}/results.`;
  const data: Record<string, unknown> = {
    execution_id: execution.id,
    graph_id: execution.graph_id,
    graph_version: execution.graph_version,
    status: execution.status,
  };
  if (failed && error) data.error = { code: error.code, message: error.message, node_id: error.node_id ?? null };
  return { kind, title, body, data, executionId: execution.id };
}
