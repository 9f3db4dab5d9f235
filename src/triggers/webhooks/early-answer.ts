// `respond: by_output` (release-2.md section 3, "Answering early"): holds a webhook request until the
// first value reaches the execution's `http_response` output, while the execution goes on. Follows the
// execution event bus (the output node's COMPLETED row, or the execution's end) and, in case an event is
// lost or there is no bus, looks at the rows now and then; whichever comes first settles the wait.
import { Inject, Injectable, Optional } from '@nestjs/common';
import { isFinalRunStatus } from '../../executions/engine/engine.types.js';
import { HTTP_RESPONSE_OUTPUT } from '../../executions/engine/http-response.js';
import { EVENT_BUS, type BusEvent, type EventBus } from '../../executions/events/execution-events.js';
import { WebhooksRepository } from './webhooks.repository.js';

/** How the wait ended: the first `http_response` value, the execution's end without one, or the time limit. */
export type EarlyOutcome = { kind: 'answer'; value: unknown } | { kind: 'ended' } | { kind: 'timeout' };

/** Looks at the rows this often with a bus (a lost event), and this often without one. */
const LOOK_WITH_BUS_MS = 1_000;
const LOOK_WITHOUT_BUS_MS = 100;

@Injectable()
export class EarlyAnswers {
  constructor(
    private readonly repository: WebhooksRepository,
    @Optional() @Inject(EVENT_BUS) private readonly bus: EventBus | null,
  ) {}

  /** Settles with the first `http_response` value of `executionId`, its end, or after `ms`. */
  first(executionId: string, ms: number): Promise<EarlyOutcome> {
    return new Promise<EarlyOutcome>((resolve) => {
      let settled = false;
      const finish = (outcome: EarlyOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearInterval(safety);
        unsubscribe?.();
        resolve(outcome);
      };
      const unsubscribe = this.bus?.subscribe((event) => {
        const outcome = outcomeOfEvent(event, executionId);
        if (outcome) finish(outcome);
      });
      const timer = setTimeout(() => finish({ kind: 'timeout' }), ms);
      // A failed look (the database restarting) is only a missed look: the next one, the bus or the timer ends the wait.
      const look = () =>
        void this.repository.earlyAnswer(executionId).then(
          (row) => {
            if (row?.answer !== null && row?.answer !== undefined) finish({ kind: 'answer', value: row.answer });
            else if (row && isFinalRunStatus(row.status)) finish({ kind: 'ended' });
          },
          () => undefined,
        );
      const safety = setInterval(look, this.bus ? LOOK_WITH_BUS_MS : LOOK_WITHOUT_BUS_MS);
      look();
    });
  }
}

/** What a bus event means for the wait on `executionId`, if anything. */
export function outcomeOfEvent(event: BusEvent, executionId: string): EarlyOutcome | null {
  if (event.event === 'notification' || event.data.execution_id !== executionId) return null;
  const data = event.data;
  if (event.event === 'graph_execution_update') return isFinalRunStatus(String(data.status)) ? { kind: 'ended' } : null;
  if (data.block !== 'output' || data.status !== 'COMPLETED') return null;
  const inputs = (data.inputs ?? {}) as Record<string, unknown>;
  const name = typeof inputs.name === 'string' && inputs.name !== '' ? inputs.name : data.node_id;
  return name === HTTP_RESPONSE_OUTPUT ? { kind: 'answer', value: inputs.value } : null;
}
