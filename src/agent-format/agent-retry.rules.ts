// `retry.on: [codes]` against what the node's block can fail with (release-2.md section 2: "Each block lists
// its error codes"): a code the block never gives would make the retry silently never apply, so it is an
// error at the code's line:col, naming the nearest code and listing the block's own.
import { allBlockErrors } from '../blocks/block-errors.catalog.js';
import { didYouMean } from '../blocks/close-matches.js';
import { nodeBlock, type AgentRuleState } from './agent.context.js';

export function checkRetryCodes(state: AgentRuleState): void {
  for (const id of Object.keys(state.agent.nodes)) {
    const found = nodeBlock(state, id);
    const on = found?.node.retry?.on;
    if (!found || on === undefined || on === 'transient') continue;
    const errors = allBlockErrors(found.block.errors);
    const codes = errors.map((error) => error.code);
    on.forEach((code, index) => {
      if (code === 'transient' || codes.includes(code)) return;
      const listed = errors.map((error) => `${error.code}${error.transient ? ' (transient)' : ''}`).join(', ');
      const near = didYouMean(code, codes);
      state.sink.error(
        ['nodes', id, 'retry', 'on', index],
        `retry.on lists ${code}, which ${found.block.id} never fails with, so it would never be retried.${near} Node "${id}" (${found.block.id}) fails with: ${listed}. "trellis blocks" and GET /api/blocks describe each.`,
        { node: id },
      );
    });
  }
}
