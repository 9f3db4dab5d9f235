// agent.run: its target is a constant naming an agent that exists, the inputs it passes are the child's
// inputs, and sub-agent calls form no cycle across all agents (another file can close one).
import type { AgentCatalog, AgentRuleState } from './agent.context.js';
import { isDict } from './agent.fields.js';
import { noAgentNamed, type ProblemSink } from './agent.problems.js';
import { suggestion } from './agent.suggest.js';

export const AGENT_RUN = 'agent.run';
/** Pins of agent.run that must be constants. */
const CONSTANT_PINS = ['agent', 'version'];

export function checkAgentRuns(state: AgentRuleState): void {
  const { sink, agent, links, catalog } = state;
  for (const [id, node] of Object.entries(agent.nodes)) {
    if (node.block !== AGENT_RUN || !state.blocks.has(id)) continue;
    for (const link of links) {
      if (link.to.node === id && CONSTANT_PINS.includes(link.to.pin)) {
        sink.error(link.toPath, `agent.run takes "${link.to.pin}" as a constant, never through a link: set it under nodes.${id}.inputs`, {
          node: id,
          pin: link.to.pin,
        });
      }
    }
    const target = node.inputs.agent;
    if (typeof target !== 'string') continue;
    const path = ['nodes', id, 'inputs', 'agent'];
    const child = catalog.get(target);
    if (!child) {
      // The catalog holds only what the caller may see: another user's graph reads exactly like a missing one.
      sink.error(path, `agent.run calls "${target}", but there is ${noAgentNamed(target)}.${suggestion(target, catalog.names(), 'agents')}`, {
        node: id,
        pin: 'agent',
      });
      continue;
    }
    const passed = node.inputs.inputs;
    if (isDict(passed)) {
      for (const name of Object.keys(passed)) {
        if (child.inputs.includes(name)) continue;
        sink.error([...path.slice(0, -1), 'inputs', name], `agent "${target}" has no input "${name}".${suggestion(name, child.inputs, 'its inputs')}`, {
          at: 'key',
          node: id,
          pin: 'inputs',
        });
      }
    }
    for (const link of links) {
      if (link.to.node !== id || link.to.pin !== 'inputs' || link.to.key === undefined || child.inputs.includes(link.to.key)) continue;
      sink.error(link.toPath, `agent "${target}" has no input "${link.to.key}".${suggestion(link.to.key, child.inputs, 'its inputs')}`, {
        node: id,
        pin: 'inputs',
      });
    }
  }
}

/** Where each agent under validation calls others: for reporting a cycle at the calling node. */
export interface CallSite {
  agent: string;
  target: string;
  node: string;
  sink: ProblemSink;
  /** Where the call is written (default: the agent.run node's `agent`); an ai.agent tool's entry. */
  path?: (string | number)[];
}

/**
 * Finds every cycle of sub-agent calls that passes through an agent being validated and reports it on
 * each of its call sites that is part of the cycle.
 */
export function checkCallCycles(sites: readonly CallSite[], catalog: AgentCatalog): void {
  const callsOf = (name: string): string[] => catalog.get(name)?.calls ?? [];
  const reported = new Set<string>();
  for (const site of sites) {
    const cycle = findPath(site.target, site.agent, callsOf);
    if (!cycle) continue;
    const key = `${site.agent}:${site.node}:${(site.path ?? []).join('.')}`;
    if (reported.has(key)) continue;
    reported.add(key);
    const chain = [site.agent, ...cycle].join(' -> ');
    const message =
      site.agent === site.target
        ? `agent "${site.agent}" calls itself with ${site.path ? 'an ai.agent tool' : 'agent.run'}; an agent may not call itself, directly or through others`
        : `sub-agent calls form a cycle: ${chain}; an agent may not call itself, directly or through others`;
    site.sink.error(site.path ?? ['nodes', site.node, 'inputs', 'agent'], message, { node: site.node, pin: site.path ? 'tools' : 'agent' });
  }
}

/** A call path from `start` to `goal` (both included), or undefined. */
function findPath(start: string, goal: string, callsOf: (name: string) => string[]): string[] | undefined {
  const previous = new Map<string, string | null>([[start, null]]);
  const queue = [start];
  while (queue.length) {
    const current = queue.shift()!;
    if (current === goal) {
      const path: string[] = [];
      for (let at: string | null = current; at !== null; at = previous.get(at) ?? null) path.unshift(at);
      return path;
    }
    for (const next of callsOf(current)) {
      if (previous.has(next)) continue;
      previous.set(next, current);
      queue.push(next);
    }
  }
  return undefined;
}
