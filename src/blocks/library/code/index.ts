// The code blocks: sandboxed JavaScript.
import type { BlockDefinition } from '../../block.types.js';
import { codeJsBlock } from './code.js.js';

export const codeBlocks: BlockDefinition[] = [codeJsBlock];
