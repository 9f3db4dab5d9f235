// The data blocks: JSON, lists and stored values.
import type { BlockDefinition } from '../../block.types.js';
import { jsonParseBlock } from './json.parse.js';
import { jsonQueryBlock } from './json.query.js';
import { jsonStringifyBlock } from './json.stringify.js';
import { listCollectBlock } from './list.collect.js';
import { listIterateBlock } from './list.iterate.js';
import { valueStoreBlock } from './value.store.js';

export const dataBlocks: BlockDefinition[] = [jsonQueryBlock, jsonParseBlock, jsonStringifyBlock, listIterateBlock, listCollectBlock, valueStoreBlock];
