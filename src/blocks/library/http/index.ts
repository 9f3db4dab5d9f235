// The http blocks; each block is one file in this folder and one line here.
import type { BlockDefinition } from '../../block.types.js';
import { httpRequestBlock } from './http.request.js';

export const httpBlocks: BlockDefinition[] = [httpRequestBlock];
