import { Module } from '@nestjs/common';
import { GithubEventListeners } from './github-events.js';

/** The GitOps hook on its own, so the GitOps loop can subscribe without importing the webhook controllers. */
@Module({ providers: [GithubEventListeners], exports: [GithubEventListeners] })
export class GithubEventsModule {}
