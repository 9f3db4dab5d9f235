// Credits for every role: balances, the charge of ad-hoc block runs, refunds. Global, so blocks find
// BLOCK_RUN_CHARGE and the executions' charge hook (executions/credits.charge-hook.ts) finds CreditsService
// without importing this module.
import { Global, Module } from '@nestjs/common';
import { BLOCK_RUN_CHARGE } from './block-run.charge.js';
import { CreditsBlockRunCharge } from './credits.block-run-charge.js';
import { CreditsRepository } from './credits.repository.js';
import { CreditsService } from './credits.service.js';

@Global()
@Module({
  providers: [CreditsRepository, CreditsService, { provide: BLOCK_RUN_CHARGE, useClass: CreditsBlockRunCharge }],
  exports: [CreditsService, BLOCK_RUN_CHARGE],
})
export class CreditsModule {}
