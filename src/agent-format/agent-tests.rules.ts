// The `tests:` section against the agent: the nodes, pins, inputs and outputs a test names exist.
import { summarizeAgent, type AgentRuleState } from './agent.context.js';
import { outputPins } from './agent.pins.js';
import { suggestion } from './agent.suggest.js';

export function checkTests(state: AgentRuleState): void {
  const { sink, agent, lookup } = state;
  const nodeIds = Object.keys(agent.nodes);
  const { inputs, outputs } = summarizeAgent(agent);
  const nodeExists = (id: string, path: Array<string | number>, what: string, at: 'key' | 'value' = 'value'): boolean => {
    if (id in agent.nodes) return true;
    sink.error(path, `${what} "${id}" is not a node of this agent.${suggestion(id, nodeIds, 'nodes')}`, { at });
    return false;
  };
  (agent.tests ?? []).forEach((test, index) => {
    const path = ['tests', index];
    if (test.trigger) {
      const { node, outputs: yielded } = test.trigger;
      if (nodeExists(node, [...path, 'trigger', 'node'], 'the trigger node')) {
        const block = state.blocks.get(node);
        if (block && !block.trigger) {
          sink.error([...path, 'trigger', 'node'], `node "${node}" is a ${block.id}, not a trigger; name a trigger node, or use inputs: for an API-style run`, {
            node,
          });
        } else if (block) {
          const pins = Object.keys(outputPins(block, agent.nodes[node]!, lookup));
          for (const pin of Object.keys(yielded)) {
            if (!pins.includes(pin))
              sink.error([...path, 'trigger', 'outputs', pin], `${block.id} yields no "${pin}".${suggestion(pin, pins, 'its outputs')}`, {
                at: 'key',
                node,
                pin,
              });
          }
        }
      }
    }
    for (const name of Object.keys(test.inputs ?? {})) {
      if (!inputs.includes(name))
        sink.error([...path, 'inputs', name], `the agent has no input "${name}".${suggestion(name, inputs, 'its inputs')}`, { at: 'key' });
    }
    for (const [node, mocked] of Object.entries(test.mocks)) {
      if (!nodeExists(node, [...path, 'mocks', node], 'the mocked node', 'key')) continue;
      const block = state.blocks.get(node);
      if (!block) continue;
      const instead =
        block.id === 'input'
          ? 'give its value under inputs:'
          : block.trigger
            ? 'give what it yields under trigger:'
            : block.id === 'output'
              ? 'it yields nothing to mock'
              : undefined;
      if (instead) {
        sink.error(
          [...path, 'mocks', node],
          `node "${node}" is ${block.id === 'input' ? 'an input' : block.trigger ? 'a trigger' : 'an output'} node: ${instead}`,
          { at: 'key', node },
        );
        continue;
      }
      if (block.id === 'ai.agent' && Array.isArray(mocked.turns)) {
        // A scripted model (agents/agent.test-aiagent.ts): {turns: [{tool_calls?, answer?}], tools?: {<tool>: result}, approvals?: {<tool>: approve | reject}}.
        for (const key of Object.keys(mocked)) {
          if (key !== 'turns' && key !== 'tools' && key !== 'approvals') {
            sink.error([...path, 'mocks', node, key], `a scripted ai.agent mock takes turns:, tools: and approvals: only, not "${key}"`, { at: 'key', node });
          }
        }
        const approvals = mocked.approvals;
        if (approvals !== undefined) {
          const decisions = approvals !== null && typeof approvals === 'object' && !Array.isArray(approvals) ? Object.entries(approvals) : null;
          if (!decisions || decisions.some(([, d]) => d !== 'approve' && d !== 'reject'))
            sink.error([...path, 'mocks', node, 'approvals'], 'approvals maps a tool name to approve or reject, e.g. { add_label: approve }', {
              at: 'key',
              node,
            });
        }
        continue;
      }
      const pins = Object.keys(outputPins(block, agent.nodes[node]!, lookup));
      for (const pin of Object.keys(mocked)) {
        if (!pins.includes(pin))
          sink.error([...path, 'mocks', node, pin], `${block.id} has no output pin "${pin}" to mock.${suggestion(pin, pins, 'its outputs')}`, {
            at: 'key',
            node,
            pin,
          });
      }
    }
    const waits = [
      ['decisions', test.decisions, 'human.review'],
      ['events', test.events, 'wait.event'],
    ] as const;
    for (const [key, given, wanted] of waits) {
      for (const node of Object.keys(given ?? {})) {
        if (!nodeExists(node, [...path, key, node], `the ${key === 'decisions' ? 'reviewed' : 'waiting'} node`, 'key')) continue;
        const block = state.blocks.get(node);
        if (block && block.id !== wanted)
          sink.error([...path, key, node], `node "${node}" is a ${block.id}; ${key}: scripts ${wanted} nodes only`, { at: 'key', node });
      }
    }
    for (const name of Object.keys(test.expect.outputs ?? {})) {
      if (!outputs.includes(name))
        sink.error([...path, 'expect', 'outputs', name], `the agent has no output "${name}".${suggestion(name, outputs, 'its outputs')}`, { at: 'key' });
    }
    for (const key of ['ran', 'not_ran'] as const) {
      (test.expect[key] ?? []).forEach((node, i) => nodeExists(node, [...path, 'expect', key, i], `expect.${key} names`));
    }
    const errorNode = test.expect.error?.node_id;
    if (errorNode !== undefined) nodeExists(errorNode, [...path, 'expect', 'error', 'node_id'], 'expect.error.node_id');
  });
}
