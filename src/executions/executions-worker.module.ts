import { Module } from '@nestjs/common';
import { CreditsChargeHook } from './credits.charge-hook.js';
import { EXECUTION_CHARGE_HOOK } from './execution.hooks.js';
import { ExecutionsModule } from './executions.module.js';
import { ExecutionRetentionService } from './worker/execution-retention.service.js';
import { ExecutionWorkerHost } from './worker/execution-worker.host.js';

/** The worker role: runs executions from the dispatcher, sweeps and prunes. */
@Module({
  imports: [ExecutionsModule],
  providers: [ExecutionWorkerHost, ExecutionRetentionService, { provide: EXECUTION_CHARGE_HOOK, useClass: CreditsChargeHook }],
  exports: [ExecutionWorkerHost, ExecutionRetentionService, EXECUTION_CHARGE_HOOK],
})
export class ExecutionsWorkerModule {}
