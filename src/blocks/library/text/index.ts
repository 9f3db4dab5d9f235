// The text blocks.
import type { BlockDefinition } from '../../block.types.js';
import { joinBlock } from './text.join.js';
import { matchBlock } from './text.match.js';
import { replaceBlock } from './text.replace.js';
import { splitBlock } from './text.split.js';
import { templateBlock } from './text.template.js';

export const textBlocks: BlockDefinition[] = [templateBlock, matchBlock, splitBlock, joinBlock, replaceBlock];
