// The communication blocks; each block is one file in this folder and one line here.
import type { BlockDefinition } from '../../block.types.js';
import { emailSendBlock } from './email.send.js';
import { slackPostBlock } from './slack.post.js';
import { webhookSendBlock } from './webhook.send.js';

export const communicationBlocks: BlockDefinition[] = [emailSendBlock, slackPostBlock, webhookSendBlock];
