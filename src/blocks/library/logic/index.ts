// The logic blocks: conditions, switches and arithmetic.
import type { BlockDefinition } from '../../block.types.js';
import { conditionBlock } from './logic.condition.js';
import { switchBlock } from './logic.switch.js';
import { calculateBlock } from './math.calculate.js';

export const logicBlocks: BlockDefinition[] = [conditionBlock, switchBlock, calculateBlock];
