// Credits for every role: the charge hook the worker calls before each node attempt, the charge of ad-hoc
// block runs, admission's balance pre-check, refunds. Global, so executions and blocks find EXECUTION_CHARGE_HOOK and BLOCK_RUN_CHARGE
// without importing this module (which would make a cycle: charging needs the block registry).
import { Global, Module } from '@nestjs/common';
import { BlocksModule } from '../blocks/blocks.module.js';
import { CREDIT_BALANCE, EXECUTION_CHARGE_HOOK } from '../executions/execution.hooks.js';
import { BLOCK_RUN_CHARGE } from './block-run.charge.js';
import { CreditsBalanceLookup, CreditsBlockRunCharge, CreditsChargeHook } from './credits.charge-hook.js';
import { CreditsRepository } from './credits.repository.js';
import { CreditsService } from './credits.service.js';

@Global()
@Module({
  imports: [BlocksModule],
  providers: [
    CreditsRepository,
    CreditsService,
    { provide: EXECUTION_CHARGE_HOOK, useClass: CreditsChargeHook },
    { provide: BLOCK_RUN_CHARGE, useClass: CreditsBlockRunCharge },
    { provide: CREDIT_BALANCE, useClass: CreditsBalanceLookup },
  ],
  exports: [CreditsService, EXECUTION_CHARGE_HOOK, BLOCK_RUN_CHARGE, CREDIT_BALANCE],
})
export class CreditsModule {}
