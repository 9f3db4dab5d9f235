// Every block of the catalogue (spec/blocks.md), one index per category folder. Adding a block is one
// file in its category folder and one line in that folder's index.ts.
import type { BlockDefinition } from '../block.types.js';
import { agentBlocks } from './agent/index.js';
import { aiBlocks } from './ai/index.js';
import { codeBlocks } from './code/index.js';
import { communicationBlocks } from './communication/index.js';
import { dataBlocks } from './data/index.js';
import { flowBlocks } from './flow/index.js';
import { githubBlocks } from './github/index.js';
import { httpBlocks } from './http/index.js';
import { humanBlocks } from './human/index.js';
import { ioBlocks } from './io/index.js';
import { logicBlocks } from './logic/index.js';
import { textBlocks } from './text/index.js';
import { timeBlocks } from './time/index.js';
import { triggerBlocks } from './trigger/index.js';

export const BLOCK_LIBRARY: readonly BlockDefinition[] = [
  ...ioBlocks,
  ...triggerBlocks,
  ...aiBlocks,
  ...textBlocks,
  ...dataBlocks,
  ...logicBlocks,
  ...httpBlocks,
  ...timeBlocks,
  ...githubBlocks,
  ...communicationBlocks,
  ...agentBlocks,
  ...codeBlocks,
  ...humanBlocks,
  ...flowBlocks,
];
