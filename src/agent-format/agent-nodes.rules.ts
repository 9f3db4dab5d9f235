// The graph's inputs and outputs: names present, well formed and unique per kind; input types and
// defaults. (Trigger settings, cron schedules, time zones, GitHub events and webhook methods, are
// formats and enums of the trigger blocks' pin schemas, checked with every other constant.)
import { compileDataSchema, problemsFromErrors, schemaProblem } from '../blocks/pin-validation.js';
import { type AgentRuleState } from './agent.context.js';
import { isDict } from './agent.fields.js';
import { ID_PATTERN } from './agent.links.js';
import { inputValueSchema, isJsonTypeName } from './agent.pins.js';

/** Graph inputs and outputs: names present, well formed and unique per kind; input types and defaults. */
export function checkInputsAndOutputs(state: AgentRuleState): void {
  const { sink, agent } = state;
  const seen: Record<'input' | 'output', Map<string, string>> = { input: new Map(), output: new Map() };
  for (const [id, node] of Object.entries(agent.nodes)) {
    if ((node.block !== 'input' && node.block !== 'output') || !state.blocks.has(id)) continue;
    const kind = node.block;
    const name = node.inputs.name;
    const namePath = ['nodes', id, 'inputs', 'name'];
    if (name === undefined) {
      if (!state.badConstants.has(`${id}.name`))
        sink.error(['nodes', id], `${kind} node "${id}" needs a name: add inputs: { name: <${kind} name> }`, { at: 'key', node: id });
    } else if (typeof name !== 'string' || !ID_PATTERN.test(name)) {
      sink.error(namePath, `the ${kind} name ${JSON.stringify(name)} must be lower-case letters, digits and _, starting with a letter`, {
        node: id,
        pin: 'name',
      });
    } else if (seen[kind].has(name)) {
      sink.error(namePath, `${kind} name "${name}" is also used by node "${seen[kind].get(name)}"; ${kind} names are unique within an agent`, {
        node: id,
        pin: 'name',
      });
    } else {
      seen[kind].set(name, id);
    }
    if (kind !== 'input') continue;
    if (state.badConstants.has(`${id}.type`)) continue;
    const type = node.inputs.type;
    const typePath = ['nodes', id, 'inputs', 'type'];
    if (type !== undefined && !isJsonTypeName(type)) {
      if (!isDict(type)) {
        sink.error(
          typePath,
          `type must be a JSON Schema type (string, number, integer, boolean, object, array, null) or a whole JSON Schema, got ${JSON.stringify(type)}`,
          { node: id, pin: 'type' },
        );
        continue;
      }
      const reason = schemaProblem(type);
      if (reason) {
        sink.error(typePath, `type is not a valid JSON Schema: ${reason}`, { node: id, pin: 'type' });
        continue;
      }
    }
    const schema = inputValueSchema(type);
    if (!schema || !('default' in node.inputs) || state.badConstants.has(`${id}.default`)) continue;
    // Checked above (schemaProblem), or built from a type name: no second meta-schema check.
    const validate = compileDataSchema(schema, { metaChecked: true });
    if (validate(structuredClone(node.inputs.default))) continue;
    for (const problem of problemsFromErrors(validate.errors)) {
      const segments = problem.pointer!.split('/').slice(1);
      sink.error(
        ['nodes', id, 'inputs', 'default', ...segments],
        `the default of input "${String(name)}" does not fit its type: ${problem.message.replace(/^the value: /, '')}`,
        { node: id, pin: 'default' },
      );
    }
  }
}
