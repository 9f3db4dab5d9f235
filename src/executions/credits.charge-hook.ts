// The executions' charge hook: each node attempt pays its block's cost (per model for LLM blocks) just before
// it runs; a block that pays per call (ai.agent: each model call and block tool run) pays for those instead,
// each once per (node execution, key). The worker adds the answered amount to the node's and the execution's
// `cost`, so a repeated charge of one attempt or call answers 0 (it was counted when first charged).
// ExecutionsWorkerModule provides it: it needs the block registry and credits, both below executions.
// Admission's balance pre-check reads CREDIT_BALANCE (CreditsBalanceLookup, below), provided by ExecutionsModule.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BlocksRegistry } from '../blocks/blocks.registry.js';
import { CreditsRepository } from '../credits/credits.repository.js';
import { CreditsService } from '../credits/credits.service.js';
import type { ChargeRequest, ChargeResult, CreditBalanceLookup, ExecutionChargeHook } from './execution.hooks.js';

@Injectable()
export class CreditsChargeHook implements ExecutionChargeHook {
  constructor(
    private readonly credits: CreditsService,
    private readonly registry: BlocksRegistry,
  ) {}

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    if (!this.credits.enabled) return request.call ? { amount: 0, cost: 0 } : { amount: 0 };
    const block = this.registry.require(request.blockId);
    // A block that pays per call (ai.agent) costs nothing per attempt: its calls are charged as they happen.
    const cost = request.call || !block.chargedPerCall ? this.registry.costOf(block, request.inputs) : 0;
    const answer = await this.credits.chargeAttempt({
      userId: request.userId,
      executionId: request.executionId,
      nodeExecutionId: request.nodeExecutionId,
      attempt: request.attempt,
      block: block.id,
      label: request.call ? `This ${request.call.reason}` : `This node attempt (${block.id}, attempt ${request.attempt})`,
      cost,
      ...(request.call ? { call: request.call } : {}),
    });
    return request.call ? { amount: answer.amount, cost } : { amount: answer.amount };
  }
}

/** CREDIT_BALANCE: the balance admission checks before it creates an execution (null: no account). */
@Injectable()
export class CreditsBalanceLookup implements CreditBalanceLookup {
  constructor(
    private readonly repository: CreditsRepository,
    private readonly dataSource: DataSource,
  ) {}

  async balance(userId: string): Promise<number | null> {
    return (await this.repository.account(this.dataSource, userId))?.balance ?? null;
  }
}
