// The time blocks.
import type { BlockDefinition } from '../../block.types.js';
import { timeDelayBlock } from './time.delay.js';
import { timeNowBlock } from './time.now.js';

export const timeBlocks: BlockDefinition[] = [timeNowBlock, timeDelayBlock];
