import { Module } from '@nestjs/common';
import { AgentsModule } from '../../agents/agents.module.js';
import { GithubEventsModule } from '../github/github-events.module.js';
import { GitopsService } from './gitops.service.js';

/** The GitOps loop for the api role: subscribes to push and pull_request deliveries of the agents repository. */
@Module({
  imports: [AgentsModule, GithubEventsModule],
  providers: [GitopsService],
  exports: [GitopsService],
})
export class GitopsModule {}
