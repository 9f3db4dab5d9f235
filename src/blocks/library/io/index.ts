// The io blocks: graph inputs and outputs.
import type { BlockDefinition } from '../../block.types.js';
import { inputBlock } from './input.js';
import { outputBlock } from './output.js';

export const ioBlocks: BlockDefinition[] = [inputBlock, outputBlock];
