import { Module } from '@nestjs/common';
import { AuthModule } from '../../auth/auth.module.js';
import { ExecutionsGateway } from './executions.gateway.js';
import { WsStateRepository } from './ws-state.repository.js';

/** The api role's WebSocket: `GET /ws` (the event bus comes from the global ExecutionEventsModule). */
@Module({
  imports: [AuthModule],
  providers: [WsStateRepository, ExecutionsGateway],
  exports: [ExecutionsGateway],
})
export class ExecutionsWsModule {}
