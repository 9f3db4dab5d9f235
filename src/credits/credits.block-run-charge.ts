// BLOCK_RUN_CHARGE as credits implement it: POST /api/blocks/{id}/execute charges its caller.
import { Injectable } from '@nestjs/common';
import type { BlockRunCharge } from './block-run.charge.js';
import { CreditsService } from './credits.service.js';

/** BLOCK_RUN_CHARGE: an ad-hoc block run is charged to its caller, not idempotent (no node execution). */
@Injectable()
export class CreditsBlockRunCharge implements BlockRunCharge {
  constructor(private readonly credits: CreditsService) {}

  async charge(userId: string, blockId: string, cost: number): Promise<void> {
    await this.credits.chargeBlockRun(userId, blockId, cost);
  }
}
