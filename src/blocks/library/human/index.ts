// The blocks that wait for a person.
import type { BlockDefinition } from '../../block.types.js';
import { humanReviewBlock } from './human.review.js';

export const humanBlocks: BlockDefinition[] = [humanReviewBlock];
