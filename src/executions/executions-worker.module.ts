import { Module } from '@nestjs/common';
import { ExecutionsModule } from './executions.module.js';
import { ExecutionRetentionService } from './worker/execution-retention.service.js';
import { ExecutionWorkerHost } from './worker/execution-worker.host.js';

/** The worker role: runs executions from the dispatcher, sweeps and prunes. */
@Module({ imports: [ExecutionsModule], providers: [ExecutionWorkerHost, ExecutionRetentionService], exports: [ExecutionWorkerHost, ExecutionRetentionService] })
export class ExecutionsWorkerModule {}
