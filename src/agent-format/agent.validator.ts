// The one entry for validating agents, whatever they came from (files, POST /api/graphs bodies,
// POST /api/agents/validate, sync): parsed documents with position resolvers in, problems and the
// canonical definitions out. Cross-agent rules (names, sub-agent targets and cycles) see the whole set.
import type { AgentDefinition } from './graph.types.js';
import { checkAiAgentTools } from './agent-aitools.rules.js';
import { checkBlocks, checkConstants, checkCredentials, checkLinks, checkRequiredPins } from './agent-graph.rules.js';
import { checkExpressions } from './agent-expressions.rules.js';
import { checkInputsAndOutputs } from './agent-nodes.rules.js';
import { AGENT_RUN, checkAgentRuns, checkCallCycles, type CallSite } from './agent-subagents.rules.js';
import { checkTests } from './agent-tests.rules.js';
import { canonicalize } from './agent.canonical.js';
import { summarizeAgent, toolAgents, type AgentCatalog, type AgentRuleState, type AgentSummary, type ValidationContext } from './agent.context.js';
import type { AgentSource } from './agent.parser.js';
import { hasErrors, ProblemSink, sortProblems, type AgentProblem } from './agent.problems.js';
import { readAgent, type ReadAgent } from './agent.reader.js';

export interface AgentValidation {
  source: AgentSource;
  /** The agent's name as written (undefined when the document has none). */
  name?: string;
  /** The canonical definition, only when the agent has no errors. */
  agent?: AgentDefinition;
  problems: AgentProblem[];
  ok: boolean;
}

export interface ValidationReport {
  results: AgentValidation[];
  ok: boolean;
  errors: number;
  warnings: number;
}

interface Pending {
  source: AgentSource;
  sink: ProblemSink;
  read?: ReadAgent;
}

export function validateAgents(sources: readonly AgentSource[], context: ValidationContext): ValidationReport {
  const pending: Pending[] = sources.map((source) => {
    const sink = new ProblemSink(source.positions, source.file);
    sink.problems.push(...source.problems);
    // No data and an error: the YAML did not parse, and its problems say so.
    const unparsed = source.data === undefined && hasErrors(source.problems);
    const read = unparsed ? undefined : readAgent(source.data, sink);
    return { source, sink, ...(read ? { read } : {}) };
  });

  checkNames(pending);
  const catalog = combinedCatalog(pending, context.agents);
  const sites: CallSite[] = [];
  for (const item of pending) {
    if (!item.read) continue;
    const state = ruleState(item, context, catalog);
    checkBlocks(state);
    checkConstants(state);
    checkExpressions(state);
    checkCredentials(state);
    checkLinks(state);
    checkRequiredPins(state);
    checkInputsAndOutputs(state);
    checkAgentRuns(state);
    checkAiAgentTools(state);
    checkTests(state);
    checkOwnerAndChannels(state);
    checkReviewLinks(state);
    for (const [node, def] of Object.entries(state.agent.nodes)) {
      if (def.block === AGENT_RUN && typeof def.inputs.agent === 'string')
        sites.push({ agent: state.agent.name, target: def.inputs.agent, node, sink: item.sink });
      if (def.block === 'ai.agent')
        for (const [index, target] of toolAgents(def.inputs.tools))
          sites.push({ agent: state.agent.name, target, node, sink: item.sink, path: ['nodes', node, 'inputs', 'tools', index, 'agent'] });
    }
  }
  checkCallCycles(sites, catalog);

  const results = pending.map(({ source, sink, read }): AgentValidation => {
    const problems = sortProblems(sink.problems);
    const ok = !hasErrors(problems);
    return {
      source,
      ...(read?.agent.name ? { name: read.agent.name } : {}),
      ...(ok && read ? { agent: canonicalize(read.agent) } : {}),
      problems,
      ok,
    };
  });
  const all = results.flatMap((result) => result.problems);
  const errors = all.filter((problem) => problem.severity === 'error').length;
  return { results, ok: errors === 0, errors, warnings: all.length - errors };
}

export function validateAgent(source: AgentSource, context: ValidationContext): AgentValidation {
  return validateAgents([source], context).results[0]!;
}

function ruleState(item: Pending, context: ValidationContext, catalog: AgentCatalog): AgentRuleState {
  const read = item.read!;
  return {
    sink: item.sink,
    agent: read.agent,
    links: read.links,
    context,
    catalog,
    lookup: { agentOutputs: (name) => catalog.get(name)?.outputs },
    blocks: new Map(),
    badConstants: new Set(),
  };
}

/** name == file name, and no two agents of the set share a name (clashes with stored graphs are the caller's: it knows which one a document replaces). */
function checkNames(pending: readonly Pending[]): void {
  const firstFile = new Map<string, string>();
  for (const { source, sink, read } of pending) {
    const name = read?.agent.name;
    if (!name) continue;
    if (source.expectedName !== undefined && name !== source.expectedName) {
      sink.error(
        ['name'],
        `the agent name "${name}" must equal the file's name "${source.expectedName}": rename the file to ${name}.yaml, or set name: ${source.expectedName}`,
      );
    }
    const previous = firstFile.get(name);
    if (previous !== undefined) {
      sink.error(['name'], `another agent is also named "${name}" (${previous}); agent names are unique: rename one of them`);
      continue;
    }
    firstFile.set(name, source.file ?? 'another document');
  }
}

/** The agents being validated, over those known from elsewhere (a file replaces the stored version). */
function combinedCatalog(pending: readonly Pending[], others: AgentCatalog | undefined): AgentCatalog {
  const local = new Map<string, AgentSummary>();
  for (const { read } of pending) if (read?.agent.name && !local.has(read.agent.name)) local.set(read.agent.name, summarizeAgent(read.agent));
  return {
    get: (name) => local.get(name) ?? others?.get(name),
    names: () => [...new Set([...local.keys(), ...(others?.names() ?? [])])].sort(),
  };
}

function checkOwnerAndChannels(state: AgentRuleState): void {
  const { sink, agent, context } = state;
  if (agent.owner !== undefined) {
    if (!context.users) {
      sink.warn(['owner'], `owner "${agent.owner}" can't be checked without a database; sync checks that the user exists`);
    } else if (!context.users.exists(agent.owner)) {
      sink.error(['owner'], `owner "${agent.owner}" is not a user; create the user (POST /api/admin/users) or fix the handle`);
    }
  }
  const channels = context.channels?.names();
  if (!channels || !agent.notify) return;
  for (const key of ['on_success', 'on_failure'] as const) {
    agent.notify[key].forEach((name, i) => {
      if (channels.includes(name)) return;
      const known = channels.length ? ` Known channels: ${channels.join(', ')}.` : ' No channels are defined yet.';
      sink.error(['notify', key, i], `notification channel "${name}" is not defined in config/notifications.yaml.${known}`);
    });
  }
}

/** human.review mails, Slacks and posts reviewers a link under server.public_url; without it they get none (release-2 section 3). */
function checkReviewLinks(state: AgentRuleState): void {
  if (state.context.publicUrl !== null) return;
  for (const [id, node] of Object.entries(state.agent.nodes)) {
    if (node.block !== 'human.review') continue;
    state.sink.warn(
      ['nodes', id, 'block'],
      'human.review sends each reviewer a link to <server.public_url>/reviews/<id>, and server.public_url is not set, so email, Slack and webhook notifications go out without one (reviews can still be decided with POST /api/reviews/<id> or trellis reviews decide): set server.public_url in config/<env>.yaml (or config/default.yaml) or TRELLIS_SERVER__PUBLIC_URL to the address reviewers reach this server at',
      { node: id },
    );
  }
}
