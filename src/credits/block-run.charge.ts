// How POST /api/blocks/{id}/execute pays: BlocksService calls this (when provided) just before the block
// runs. CreditsModule provides it (CreditsBlockRunCharge); refusing throws 402 INSUFFICIENT_CREDITS.

export interface BlockRunCharge {
  /** Charges `cost` to `userId` for one run of `blockId`; nothing when credits are off or the cost is 0. */
  charge(userId: string, blockId: string, cost: number): Promise<void>;
}

export const BLOCK_RUN_CHARGE = Symbol('BLOCK_RUN_CHARGE');
