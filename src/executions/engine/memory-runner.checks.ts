// What the in-memory runner refuses before anything runs: a request that names inputs, a trigger or mocks
// the graph does not have. Each problem says what exists instead.
import { validationFailed, type Problem } from '../../common/errors.js';
import type { CompiledGraph } from './graph.compiler.js';
import type { MemoryRunOptions } from './memory-runner.types.js';

export function checkRunRequest(graph: CompiledGraph, options: MemoryRunOptions): void {
  const problems: Problem[] = [];
  const inputNames = graph.inputNodes.map((n) => n.name!);
  if (options.trigger && options.inputs && Object.keys(options.inputs).length > 0) {
    problems.push({
      pointer: '/inputs',
      message: 'give either `inputs` (an API-style run) or `trigger` (a trigger run), not both: a trigger run seeds inputs with their defaults',
    });
  }
  for (const name of Object.keys(options.inputs ?? {})) {
    if (!inputNames.includes(name)) {
      problems.push({ pointer: `/inputs/${name}`, message: `"${name}" is not an input of ${graph.name}; its inputs are: ${inputNames.join(', ') || 'none'}` });
    }
  }
  if (options.trigger) {
    const node = graph.nodes.get(options.trigger.node);
    if (node?.kind !== 'trigger') {
      const triggers = graph.nodeList.filter((n) => n.kind === 'trigger').map((n) => n.id);
      problems.push({
        pointer: '/trigger/node',
        node: options.trigger.node,
        message: `"${options.trigger.node}" is not a trigger node of ${graph.name}; its trigger nodes are: ${triggers.join(', ') || 'none'}`,
      });
    }
  }
  for (const [nodeId, outputs] of Object.entries(options.mocks ?? {})) {
    const node = graph.nodes.get(nodeId);
    const pointer = `/mocks/${nodeId}`;
    if (!node)
      problems.push({
        pointer,
        node: nodeId,
        message: `mock for "${nodeId}", which is not a node of ${graph.name}; its nodes are: ${graph.nodeList.map((n) => n.id).join(', ')}`,
      });
    else if (node.kind === 'input')
      problems.push({ pointer, node: nodeId, message: `"${nodeId}" is an input node: give its value under \`inputs\` instead of mocking it` });
    else if (node.kind === 'trigger')
      problems.push({ pointer, node: nodeId, message: `"${nodeId}" is a trigger node: give what it yields under \`trigger\` instead of mocking it` });
    else if (node.kind === 'output') problems.push({ pointer, node: nodeId, message: `"${nodeId}" is an output node: it yields nothing to mock` });
    else if (typeof outputs !== 'object' || outputs === null || Array.isArray(outputs))
      problems.push({ pointer, node: nodeId, message: `the mock for "${nodeId}" must map output pins to values, like { text: "hello" }` });
  }
  if (problems.length > 0) throw validationFailed(problems);
}
