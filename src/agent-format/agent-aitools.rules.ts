// ai.agent's `tools` (release-2.md section 4): a constant list whose every problem (name, uniqueness,
// forbidden blocks, hosts, credential fields, agents the caller may see, approvals) is reported at its own
// place in the file, so a pull request shows it at line:col before anything runs.
import { checkTools } from '../blocks/library/ai/ai-agent.tools.js';
import type { AgentRuleState } from './agent.context.js';

export const AI_AGENT = 'ai.agent';

export function checkAiAgentTools(state: AgentRuleState): void {
  const { sink, agent, links, catalog } = state;
  for (const [id, node] of Object.entries(agent.nodes)) {
    if (node.block !== AI_AGENT || !state.blocks.has(id)) continue;
    for (const link of links) {
      if (link.to.node === id && link.to.pin === 'tools') {
        sink.error(link.toPath, `ai.agent takes "tools" as a constant, never through a link: set it under nodes.${id}.inputs.tools`, {
          node: id,
          pin: 'tools',
        });
      }
    }
    if (node.inputs.tools === undefined || state.badConstants.has(`${id}.tools`)) continue;
    const problems = checkTools(node.inputs.tools, { blocks: state.context.blocks, agentInputs: (name) => catalog.get(name)?.inputs });
    for (const problem of problems) sink.error(['nodes', id, 'inputs', 'tools', ...problem.path], problem.message, { node: id, pin: 'tools' });
  }
}
