// Deduplicated deliveries (a webhook's Idempotency-Key, GitHub's X-GitHub-Delivery): the delivery row and
// its executions commit in one transaction, the executions admitted by executions/admission and handed to
// workers only after the commit. A duplicate creates nothing and gets the stored first answer.
import { Injectable } from '@nestjs/common';
import type { TriggeredExecution } from '../../executions/admission/admission.types.js';
import { ExecutionAdmission } from '../../executions/admission/execution-admission.service.js';
import { WebhooksRepository, type DeliveryAnswer, type DeliveryKey, type StoredDelivery } from './webhooks.repository.js';

export type AdmittedDelivery = { created: true; execution_ids: string[] } | { created: false; existing: StoredDelivery };

@Injectable()
export class WebhookDeliveries {
  constructor(
    private readonly repository: WebhooksRepository,
    private readonly admission: ExecutionAdmission,
  ) {}

  /** Writes the delivery with its executions and dispatches them, or answers the stored delivery of a duplicate. */
  async admit(
    delivery: DeliveryKey,
    executions: readonly TriggeredExecution[],
    source: 'webhook' | 'github',
    answer: (ids: string[]) => DeliveryAnswer,
  ): Promise<AdmittedDelivery> {
    const ids = executions.map((execution) => execution.id);
    const first = answer(ids);
    const created = await this.repository.transaction(async (manager) => {
      if (!(await this.repository.claim(delivery, first, ids, manager))) return false;
      await this.admission.triggered(executions, source, manager);
      return true;
    });
    if (created) {
      await this.admission.handOver(executions);
      return { created: true, execution_ids: ids };
    }
    // The row can only be missing if retention removed it between the two statements: treat as a conflict-free replay.
    const existing = await this.repository.find(delivery.scope, delivery.key);
    return {
      created: false,
      existing: existing ?? { body_hash: delivery.body_hash, status_code: first.status_code, response: first.response, headers: null, execution_ids: [] },
    };
  }
}
