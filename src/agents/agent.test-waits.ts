// `trellis test` decisions: and events: (release-2.md section 3): the in-memory runner's `outside` port
// answered from the test's script, checked as the server checks a real decision (the decision is one the
// node offers; an edit matches the node's schema), so a test cannot pass with a decision a reviewer
// could not make. Each node's runs take the node's items in order.
import type { AgentTestCase, TestDecision } from '../agent-format/graph.types.js';
import { compileDataSchema, problemsFromErrors } from '../blocks/pin-validation.js';
import type { MemoryRunOptions } from '../executions/memory-run.js';
import type { ReviewEnd, ReviewRequest } from '../executions/engine/wait-suspensions.js';

/** The decider a test reviewer stands for when the decision names none. */
export const TEST_REVIEWER = 'test';

export function scriptedOutside(test: AgentTestCase, at: () => number): NonNullable<MemoryRunOptions['outside']> {
  const taken = new Map<string, number>();
  const next = <T>(script: Record<string, T[]> | undefined, node: string): T | undefined => {
    const items = script?.[node];
    if (!items) return undefined;
    const index = taken.get(node) ?? 0;
    taken.set(node, index + 1);
    return items[index];
  };
  const count = (node: string) => taken.get(node) ?? 0;
  return {
    review(node, request) {
      const item = next(test.decisions, node);
      if (item === undefined)
        return test.decisions?.[node]
          ? `Node "${node}" (human.review) ran ${count(node)} times but the test gives ${test.decisions[node]!.length} decision(s) for it; add one per run under decisions:.`
          : `Node "${node}" (human.review) waits for a decision: give one under the test's decisions: (${node}: {decision: approve}), or mock the node.`;
      return reviewEnd(node, request, item, new Date(at()).toISOString());
    },
    event(node) {
      const item = next(test.events, node);
      if (item === undefined)
        return test.events?.[node]
          ? `Node "${node}" (wait.event) ran ${count(node)} times but the test gives ${test.events[node]!.length} event(s) for it; add one per run under events:.`
          : `Node "${node}" (wait.event) waits for an event: give one under the test's events: (${node}: {event: {...}}), or mock the node.`;
      return 'timeout' in item ? null : { event: item.event, headers: item.headers };
    },
  };
}

function reviewEnd(node: string, request: ReviewRequest, item: TestDecision, at: string): ReviewEnd | string {
  if (item.decision === 'timeout') return { status: 'timed_out', data: request.data, decision: null, on_timeout: request.on_timeout };
  if (!request.decisions.includes(item.decision))
    return `The test decides "${item.decision}" on node "${node}" (human.review), which offers ${request.decisions.join(', ')} only; a reviewer could not decide so.`;
  let data = request.data;
  if (item.decision === 'edit') {
    const validate = compileDataSchema(request.schema ?? {});
    if (!validate(item.data)) {
      const problems = problemsFromErrors(validate.errors).map((p) => p.message);
      return `The test's edit of node "${node}" (human.review) does not match the node's schema: ${problems.join('; ')}; the server would refuse it (400).`;
    }
    data = item.data;
  }
  return {
    status: item.decision === 'reject' ? 'rejected' : 'approved',
    data,
    decision: { decision: item.decision, by: item.by ?? TEST_REVIEWER, at, comment: item.comment ?? null },
    on_timeout: request.on_timeout,
  };
}
