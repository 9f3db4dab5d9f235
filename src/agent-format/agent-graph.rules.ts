// Rules on one agent's graph against the block registry: blocks exist, constants are pins and fit
// their schemas, credentials are mapped, links join existing pins of compatible types, and every
// required pin is constant or linked.
import type { JsonSchema } from '../blocks/block.types.js';
import { compileBlock } from '../blocks/block-validator.js';
import { expressionPins } from '../blocks/block-expressions.js';
import { holdsExpression, WITH_PIN } from './agent-expressions.rules.js';
import { AGENT_RUN } from './agent-subagents.rules.js';
import { nodeBlock, type AgentRuleState } from './agent.context.js';
import { formatLink, formatSink, formatSource } from './agent.links.js';
import { describePin, dictKeySchema, inputPins, isDictPin, outputPins, requiredInputs, typesCompatible } from './agent.pins.js';
import { isDict } from './agent.fields.js';
import { suggestion } from './agent.suggest.js';

export function checkBlocks(state: AgentRuleState): void {
  const { sink, agent, context } = state;
  const ids = context.blocks.list().map((block) => block.id);
  for (const [id, node] of Object.entries(agent.nodes)) {
    const block = context.blocks.get(node.block);
    if (!block) {
      sink.error(['nodes', id, 'block'], `unknown block "${node.block}".${suggestion(node.block, ids, 'blocks')} List them with "trellis blocks".`, {
        node: id,
      });
      continue;
    }
    state.blocks.set(id, block);
  }
}

export function checkConstants(state: AgentRuleState): void {
  const { sink, agent } = state;
  for (const id of Object.keys(agent.nodes)) {
    const found = nodeBlock(state, id);
    if (!found) continue;
    const { node, block } = found;
    const pins = inputPins(block);
    // The blocks' own validator: the same messages as the execute API and `run` give. A pin holding a
    // `${{ }}` is checked against its schema once evaluated, where its block allows expressions.
    const allowed = expressionPins(block);
    const constants = Object.fromEntries(Object.entries(node.inputs).filter(([pin, value]) => !(allowed[pin] && holdsExpression(value))));
    for (const problem of compileBlock(block).constantProblems(constants)) {
      const segments = problem
        .pointer!.split('/')
        .slice(1)
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
      const unknownPin = segments.length === 1 && !(segments[0]! in pins);
      if (problem.pin) state.badConstants.add(`${id}.${problem.pin}`);
      sink.error(['nodes', id, 'inputs', ...segments], `node "${id}" (${block.id}): ${problem.message}`, {
        at: unknownPin ? 'key' : 'value',
        node: id,
        ...(problem.pin ? { pin: problem.pin } : {}),
      });
    }
  }
}

export function checkCredentials(state: AgentRuleState): void {
  const { sink, agent, context } = state;
  for (const id of Object.keys(agent.nodes)) {
    const found = nodeBlock(state, id);
    if (!found) continue;
    const { node, block } = found;
    const fields = block.credentials ?? {};
    const fieldNames = Object.keys(fields);
    for (const [field, name] of Object.entries(node.credentials)) {
      const path = ['nodes', id, 'credentials', field];
      const spec = fields[field];
      if (!spec) {
        const known = fieldNames.length ? suggestion(field, fieldNames, `its credential fields`) : ' It takes no credentials.';
        sink.error(path, `${block.id} has no credential field "${field}".${known}`, { at: 'key', node: id });
        continue;
      }
      if (!context.credentials) {
        sink.warn(path, `credential "${name}" can't be checked without a database; sync and execute check that it resolves`, { node: id });
        continue;
      }
      const check = context.credentials.check(name, agent.owner);
      if (!check.found) {
        const where = context.credentials.describe ? ` in ${context.credentials.describe}` : '';
        if (check.certain)
          sink.error(path, `no credential named "${name}" exists${where}; create it (POST /api/integrations/credentials) or fix the name`, { node: id });
        else
          sink.warn(path, `credential "${name}" is not${where}; it must exist in the database for the agent's owner (sync and execute check it)`, { node: id });
        continue;
      }
      if (check.provider && check.provider !== spec.provider && !spec.providers?.includes(check.provider)) {
        sink.error(path, `credential "${name}" is for ${check.provider}, but ${block.id} needs a ${spec.provider} credential in "${field}"`, { node: id });
      } else if (check.type && !(spec.types as string[]).includes(check.type)) {
        sink.error(path, `credential "${name}" is of type ${check.type}, but "${field}" of ${block.id} takes ${spec.types.join(' or ')}`, { node: id });
      }
    }
    for (const [field, spec] of Object.entries(fields)) {
      if (field in node.credentials || spec.optional || spec.systemDefaultEnv) continue;
      sink.error(['nodes', id], `node "${id}" (${block.id}) needs a ${spec.provider} credential: add credentials: { ${field}: <credential name> }`, {
        at: 'key',
        node: id,
      });
    }
  }
}

export function checkLinks(state: AgentRuleState): void {
  const { sink, agent, links, lookup } = state;
  const nodeIds = Object.keys(agent.nodes);
  const seen = new Set<string>();
  for (const link of links) {
    const text = formatLink(link);
    if (seen.has(text)) sink.error(['links', link.index], `the link "${text}" is written twice; remove one`);
    seen.add(text);

    let sourceSchema: JsonSchema | undefined;
    let sourceOk = false;
    const source = agent.nodes[link.from.node];
    if (!source) {
      sink.error(
        link.fromPath,
        `link source "${formatSource(link.from)}": there is no node "${link.from.node}".${suggestion(link.from.node, nodeIds, 'nodes')}`,
      );
    } else {
      const block = state.blocks.get(link.from.node);
      // An agent.run whose child is unknown (reported there) has unknown output pins: nothing to check.
      const unknownChild = source.block === AGENT_RUN && !state.catalog.get(String(source.inputs.agent));
      if (block && !unknownChild) {
        const pins = outputPins(block, source, lookup);
        if (!(link.from.pin in pins)) {
          sink.error(
            link.fromPath,
            `link source "${formatSource(link.from)}": ${block.id} has no output pin "${link.from.pin}".${suggestion(link.from.pin, Object.keys(pins), 'its outputs')}`,
            { node: link.from.node, pin: link.from.pin },
          );
        } else {
          sourceOk = true;
          // A key path picks an unknown part of the value: any type may come out of it.
          sourceSchema = link.from.path.length ? undefined : pins[link.from.pin];
        }
      }
    }

    const target = agent.nodes[link.to.node];
    if (!target) {
      sink.error(link.toPath, `link target "${formatSink(link.to)}": there is no node "${link.to.node}".${suggestion(link.to.node, nodeIds, 'nodes')}`);
      continue;
    }
    const block = state.blocks.get(link.to.node);
    if (!block) continue;
    if (block.trigger) {
      sink.error(
        link.toPath,
        `link target "${formatSink(link.to)}": ${block.id} is a trigger, started from outside; it takes no links (set its inputs as constants)`,
        { node: link.to.node },
      );
      continue;
    }
    if (link.to.pin === WITH_PIN) {
      // Any value may feed expressions; the link needs the name they read it by.
      if (link.to.key === undefined)
        sink.error(link.toPath, `link target "${formatSink(link.to)}": "with" is reserved for expressions; name the value: ${link.to.node}.with.<name>`, {
          node: link.to.node,
        });
      continue;
    }
    const pins = inputPins(block);
    const pinSchema = pins[link.to.pin];
    if (!pinSchema) {
      sink.error(
        link.toPath,
        `link target "${formatSink(link.to)}": ${block.id} has no input pin "${link.to.pin}".${suggestion(link.to.pin, Object.keys(pins), 'its inputs')}`,
        { node: link.to.node, pin: link.to.pin },
      );
      continue;
    }
    let sinkSchema: JsonSchema | undefined = pinSchema;
    if (link.to.key !== undefined) {
      if (!isDictPin(pinSchema)) {
        sink.error(
          link.toPath,
          `link target "${formatSink(link.to)}" sets the key "${link.to.key}", but pin "${link.to.pin}" of ${block.id} takes ${describePin(pinSchema)}, not a dict; link to "${link.to.node}.${link.to.pin}"`,
          { node: link.to.node, pin: link.to.pin },
        );
        continue;
      }
      sinkSchema = dictKeySchema(pinSchema, link.to.key);
    } else if (block.pinModes?.[link.to.pin] === 'gather') {
      // A gather pin takes each arriving value as one element of its list (list.iterate.key -> list.collect.key).
      sinkSchema = isDict(pinSchema.items) ? (pinSchema.items as JsonSchema) : undefined;
      if (link.to.pin in target.inputs) {
        sink.error(link.toPath, `pin "${link.to.pin}" of node "${link.to.node}" is both constant (in its inputs) and linked; remove one`, {
          node: link.to.node,
          pin: link.to.pin,
        });
      }
    } else if (link.to.pin in target.inputs) {
      sink.error(
        link.toPath,
        `pin "${link.to.pin}" of node "${link.to.node}" is both constant (in its inputs) and linked; remove one, or link to one key with "${link.to.node}.${link.to.pin}.<key>"`,
        { node: link.to.node, pin: link.to.pin },
      );
    }
    if (sourceOk && !typesCompatible(sourceSchema, sinkSchema)) {
      sink.error(
        ['links', link.index],
        `link "${text}" carries ${describePin(sourceSchema)} into a pin that takes ${describePin(sinkSchema)}; pick a key of the value (${formatSource(link.from)}.<key>) or convert it (text.template, json.stringify)`,
        { node: link.to.node, pin: link.to.pin },
      );
    }
  }
}

export function checkRequiredPins(state: AgentRuleState): void {
  const { sink, agent, links } = state;
  for (const id of Object.keys(agent.nodes)) {
    const found = nodeBlock(state, id);
    if (!found) continue;
    for (const pin of requiredInputs(found.block)) {
      if (pin in found.node.inputs) continue;
      if (links.some((link) => link.to.node === id && link.to.pin === pin)) continue;
      sink.error(['nodes', id], `node "${id}" (${found.block.id}) needs its input "${pin}": set it under inputs, or link a value to ${id}.${pin}`, {
        at: 'key',
        node: id,
        pin,
      });
    }
  }
}
