// The github blocks; each block is one file in this folder and one line here.
import type { BlockDefinition } from '../../block.types.js';
import { githubCommentBlock } from './github.comment.js';
import { githubFileGetBlock } from './github.file.get.js';
import { githubIssueCreateBlock } from './github.issue.create.js';
import { githubLabelsAddBlock } from './github.labels.add.js';
import { githubPrGetBlock } from './github.pr.get.js';

export const githubBlocks: BlockDefinition[] = [githubCommentBlock, githubIssueCreateBlock, githubLabelsAddBlock, githubPrGetBlock, githubFileGetBlock];
