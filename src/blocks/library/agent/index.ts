// The agent blocks: sub-agents.
import type { BlockDefinition } from '../../block.types.js';
import { agentRunBlock } from './agent.run.js';

export const agentBlocks: BlockDefinition[] = [agentRunBlock];
