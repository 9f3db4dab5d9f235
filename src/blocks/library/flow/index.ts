// The blocks that shape an execution's flow over time.
import type { BlockDefinition } from '../../block.types.js';
import { waitEventBlock } from './wait.event.js';

export const flowBlocks: BlockDefinition[] = [waitEventBlock];
