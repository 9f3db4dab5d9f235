import { Module } from '@nestjs/common';
import { AgentsModule } from '../../agents/agents.module.js';
import { GithubEventsModule } from '../github/github-events.module.js';
import { GitopsConnection } from './gitops-connection.js';
import { GitopsPullsService } from './gitops-pulls.service.js';
import { GitopsRepository } from './gitops.repository.js';
import { GitopsService } from './gitops.service.js';

/** The GitOps loop for the api role: push and pull_request deliveries of the agents repository (notifications come from the global module). */
@Module({
  imports: [AgentsModule, GithubEventsModule],
  providers: [GitopsConnection, GitopsRepository, GitopsPullsService, GitopsService],
  exports: [GitopsService, GitopsPullsService],
})
export class GitopsModule {}
