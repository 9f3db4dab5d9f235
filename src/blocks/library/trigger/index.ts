// The trigger blocks: never run by the engine (their node is seeded with the event that fired).
import type { BlockDefinition } from '../../block.types.js';
import { cronTriggerBlock } from './trigger.cron.js';
import { githubTriggerBlock } from './trigger.github.js';
import { webhookTriggerBlock } from './trigger.webhook.js';

export const triggerBlocks: BlockDefinition[] = [webhookTriggerBlock, githubTriggerBlock, cronTriggerBlock];
