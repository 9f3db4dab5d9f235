// What a retry from the failure may repeat (release-2.md section 3, `rerun_side_effects`): the nodes of
// blocks with outside effects that were stopped mid-attempt, in the original execution and in each failed
// or cancelled child below it (an `agent.run` child or an `ai.agent` agent tool), since a retry retries a
// failed child the same way. A child's entries name the child execution and its agent.
import { Injectable } from '@nestjs/common';
import { CompiledGraphs } from './compiled-graphs.js';
import { rerunSideEffects, type RerunSideEffect } from './engine/replay.js';
import { ExecutionsRepository, type ExecutionRow } from './executions.repository.js';

/** Children nest at most `executor.max_depth` deep; this bound only guards against a broken parent chain. */
const MAX_LEVELS = 32;
const MAX_RUNS = 1000;

@Injectable()
export class RerunEffects {
  constructor(
    private readonly repository: ExecutionsRepository,
    private readonly compiledGraphs: CompiledGraphs,
  ) {}

  /** The original's stopped side effects against the retry's graph version, then its failed children's against their own. */
  async of(original: ExecutionRow, retryVersion: number): Promise<RerunSideEffect[]> {
    const found = await this.stopped(original.id, original.graph_id, retryVersion);
    let level = await this.repository.unfinishedChildren([original.id]);
    for (let depth = 0; level.length > 0 && depth < MAX_LEVELS; depth++) {
      for (const child of level) {
        const effects = await this.stopped(child.id, child.graph_id, child.graph_version);
        found.push(...effects.map((effect) => ({ ...effect, execution_id: child.id, agent: child.graph_id })));
      }
      level = await this.repository.unfinishedChildren(level.map((child) => child.id));
    }
    return found;
  }

  private async stopped(executionId: string, graphId: string, version: number): Promise<RerunSideEffect[]> {
    const compiled = await this.compiledGraphs.get(graphId, version);
    // Only runs that never finished can have been stopped mid-attempt (a stop marks RUNNING ones CANCELLED).
    const runs = [
      ...(await this.repository.nodes(executionId, { status: 'RUNNING', limit: MAX_RUNS })),
      ...(await this.repository.nodes(executionId, { status: 'CANCELLED', limit: MAX_RUNS })),
    ];
    return rerunSideEffects(runs, (node, block) => {
      const now = compiled?.nodes.get(node);
      return now !== undefined && now.blockId === block && now.block.sideEffects === true;
    });
  }
}
