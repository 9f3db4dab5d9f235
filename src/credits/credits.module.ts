// Credits for every role: balances, the charge of ad-hoc block runs, refunds. Global, so users find
// CREDIT_ACCOUNTS, blocks find BLOCK_RUN_CHARGE, and the executions' charge hook (executions/credits.charge-hook.ts)
// finds CreditsService and CreditsRepository (admission's balance pre-check) without importing this module.
import { Global, Module } from '@nestjs/common';
import { BLOCK_RUN_CHARGE } from './block-run.charge.js';
import { CreditsBlockRunCharge } from './credits.block-run-charge.js';
import { CREDIT_ACCOUNTS } from '../users/credit-accounts.types.js';
import { CreditsRepository } from './credits.repository.js';
import { CreditsService } from './credits.service.js';

@Global()
@Module({
  providers: [
    CreditsRepository,
    CreditsService,
    { provide: BLOCK_RUN_CHARGE, useClass: CreditsBlockRunCharge },
    { provide: CREDIT_ACCOUNTS, useExisting: CreditsRepository },
  ],
  exports: [CreditsService, CreditsRepository, BLOCK_RUN_CHARGE, CREDIT_ACCOUNTS],
})
export class CreditsModule {}
