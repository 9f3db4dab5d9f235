// Credits per run of each created or changed agent, before and after (release-2.md section 5): what the plan,
// `trellis plan` and the pull-request comment and check run show. Pure: the estimate is handed in.
import type { AgentDefinition } from '../agent-format/graph.types.js';
import type { Classified } from './agents-plan.js';

/** Credits one execution costs at least and at most (null: unbounded, a fan-out or a loop). */
export interface CostRange {
  min: number;
  max: number | null;
  /** Present (true) when an ai.agent's `max_steps` and `max_tool_calls` set part of `max`: a limit, far above what a run usually spends. */
  step_bounded?: boolean;
}

export interface PlanCost {
  /** The newest stored version's; null for a new agent. */
  before: CostRange | null;
  /** The version this sync records. */
  after: CostRange;
}

/** Sets `cost` on created, updated and pinned entries that record a new version. */
export function attachCosts(classified: Classified, previous: ReadonlyMap<string, AgentDefinition>, estimate: (agent: AgentDefinition) => CostRange): void {
  const next = new Map(classified.writes.filter((w) => w.version).map((w) => [w.name, w.version!.agent]));
  for (const e of classified.entries) {
    const after = next.get(e.name);
    if (!after || (e.action !== 'create' && e.action !== 'update' && e.action !== 'pinned')) continue;
    const before = previous.get(e.name);
    e.cost = { before: before ? estimate(before) : null, after: estimate(after) };
  }
}

/** `min to max` credits; `unbounded` for a null max; `at most` marks a max an ai.agent's step limits set. */
export function formatCredits(range: CostRange): string {
  if (range.max === null) return `${range.min} to unbounded`;
  if (range.min === range.max) return String(range.min);
  return range.step_bounded ? `${range.min} to at most ${range.max} (max_steps)` : `${range.min} to ${range.max}`;
}
