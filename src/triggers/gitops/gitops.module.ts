import { Module } from '@nestjs/common';
import { AgentsModule } from '../../agents/agents.module.js';
import { GraphsModule } from '../../graphs/graphs.module.js';
import { GithubEventsModule } from '../github/github-events.module.js';
import { GitopsConnection } from './gitops-connection.js';
import { GitopsProposeService } from './gitops-propose.service.js';
import { GitopsController } from './gitops.controller.js';
import { GitopsPullsService } from './gitops-pulls.service.js';
import { GitopsRepository } from './gitops.repository.js';
import { GitopsService } from './gitops.service.js';

/** The GitOps loop for the api role: push and pull_request deliveries of the agents repository, and proposals back to it. */
@Module({
  imports: [AgentsModule, GraphsModule, GithubEventsModule],
  controllers: [GitopsController],
  providers: [GitopsConnection, GitopsRepository, GitopsPullsService, GitopsProposeService, GitopsService],
  exports: [GitopsService, GitopsPullsService],
})
export class GitopsModule {}
