// The ai blocks; each block is one file in this folder and one line here.
import type { BlockDefinition } from '../../block.types.js';
import { aiAgentBlock } from './ai.agent.js';
import { llmChatBlock } from './llm.chat.js';
import { llmClassifyBlock } from './llm.classify.js';
import { llmStructuredBlock } from './llm.structured.js';

export const aiBlocks: BlockDefinition[] = [llmChatBlock, llmStructuredBlock, llmClassifyBlock, aiAgentBlock];
