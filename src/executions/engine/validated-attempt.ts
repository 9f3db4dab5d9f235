// The block attempt the platform runs by default: inputs validated with the block's schema (defaults
// applied), each yield checked against its output schema, through the registry's runBlock. Time limits
// and aborts stay with the engine (executeAttempt), so no time limit is passed here.
import { runBlock } from '../../blocks/run-block.js';
import { attemptFromCallbacks, type BlockAttemptFn } from './block-attempt.js';

export const runValidatedBlock: BlockAttemptFn = attemptFromCallbacks((request, onYield) => runBlock(request.block, request.inputs, request.context, { onYield }));
