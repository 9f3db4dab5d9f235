// AutoGPT Platform blocks that have an equivalent here, by the platform's own block ids (facts looked
// up in Significant-Gravitas/AutoGPT, autogpt_platform/backend/backend/blocks/): each maps one source
// node to agent nodes and says how its pins translate. Anything else is reported by the importer.
import { escapeExpressions, withoutSecrets } from './import.helpers.js';
import { llmBlock } from './autogpt.llm.js';
import { byTable, constants, pinKey, renameTemplateKeys, str, type AutogptBlockMapping } from './autogpt.shared.js';

export { pinKey, type AutogptNode } from './autogpt.shared.js';

const MATH: Record<string, string> = { Add: 'add', Subtract: 'subtract', Multiply: 'multiply', Divide: 'divide', Power: 'power' };
const COMPARE = new Set(['==', '!=', '>', '<', '>=', '<=']);

export const AUTOGPT_BLOCKS: Readonly<Record<string, AutogptBlockMapping>> = {
  'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b': {
    name: 'AgentInputBlock',
    map(node, context) {
      const d = node.input_default ?? {};
      const name = pinKey(str(d.name) ?? 'input');
      const id = context.ids.take(name);
      const inputs: Record<string, unknown> = { name, type: 'string' };
      if (d.value !== undefined && d.value !== null) inputs.default = escapeExpressions(d.value);
      if (str(d.description)) inputs.description = d.description;
      return byTable(id, 'input', inputs, {}, { result: 'value' });
    },
  },
  '363ae599-353e-4804-937e-b2ee3cef3da4': {
    name: 'AgentOutputBlock',
    map(node, context) {
      const name = pinKey(str(node.input_default?.name) ?? 'output');
      const mapped = byTable(context.ids.take(`out_${name}`), 'output', { name }, { value: 'value' }, {});
      if (str(node.input_default?.format)) mapped.lost = ['its "format" (a template applied to the value) was left out; add a text.template before the output'];
      return mapped;
    },
  },
  'db7d8f02-2f44-4c55-ab7a-eae0941f0c30': {
    name: 'FillTextTemplateBlock',
    map(node, context) {
      const d = node.input_default ?? {};
      const values = (d.values ?? {}) as Record<string, unknown>;
      const template = renameTemplateKeys(str(d.format) ?? '', [...Object.keys(values), ...context.linkedKeys]);
      const inputs = {
        template: escapeExpressions(template),
        values: Object.fromEntries(Object.entries(values).map(([k, v]) => [pinKey(k), escapeExpressions(v)])),
      };
      return byTable(context.ids.take('template'), 'text.template', inputs, { format: 'template', values: 'values' }, { output: 'text' });
    },
  },
  '1f292d4a-41a4-4977-9684-7c8d560b9f91': { name: 'AITextGeneratorBlock', map: (node, context) => llmBlock('llm.chat', 'text', node, context) },
  '32a87eab-381e-4dd4-bdb8-4c47151be35a': { name: 'AIConversationBlock', map: (node, context) => llmBlock('llm.chat', 'text', node, context) },
  'ed55ac19-356e-4243-a6cb-bc599e9b716f': {
    name: 'AIStructuredResponseGeneratorBlock',
    map: (node, context) => llmBlock('llm.structured', 'object', node, context),
  },
  '1ff065e9-88e8-4358-9d82-8dc91f622ba9': {
    name: 'StoreValueBlock',
    map(node, context) {
      const id = context.ids.take('store');
      const mapped = byTable(id, 'value.store', constants(node, context, { data: 'data' }), { input: 'input', data: 'data' }, { output: 'output' });
      // AutoGPT yields `input` itself when `data` is not given: the importer links input's source to data too.
      return mapped;
    },
  },
  'b1ab9b19-67a6-406d-abf5-2dba76d00c79': {
    name: 'CalculatorBlock',
    map(node, context) {
      const d = node.input_default ?? {};
      const operation = MATH[str(d.operation) ?? 'Add'];
      if (!operation)
        return { reasons: [`operation "${String(d.operation)}" has no math.calculate equivalent`], todo: 'compute it with json.query or code.js' };
      const mapped = byTable(
        context.ids.take('calculate'),
        'math.calculate',
        { operation, ...constants(node, context, { a: 'a', b: 'b' }) },
        { a: 'a', b: 'b' },
        { result: 'result' },
      );
      if (d.round_result === true) mapped.lost = ['round_result: math.calculate does not round; add a json.query with $round()'];
      return mapped;
    },
  },
  '715696a0-e1da-45c8-b209-c2fa9c3b0be6': {
    name: 'ConditionBlock',
    map(node, context) {
      const operator = str(node.input_default?.operator) ?? '==';
      if (!COMPARE.has(operator)) return { reasons: [`operator "${operator}" has no logic.condition equivalent`], todo: 'use one of == != > >= < <=' };
      const inputs = { operator, ...constants(node, context, { value1: 'left', value2: 'right', yes_value: 'yes_value', no_value: 'no_value' }) };
      return byTable(
        context.ids.take('condition'),
        'logic.condition',
        inputs,
        { value1: 'left', value2: 'right', yes_value: 'yes_value', no_value: 'no_value' },
        { result: 'result', yes_output: 'yes', no_output: 'no' },
      );
    },
  },
  '3060088f-6ed9-4928-9ba7-9c92823a7ccd': {
    name: 'MatchTextPatternBlock',
    map(node, context) {
      const d = node.input_default ?? {};
      if (context.linkedInputs.has('data') || d.data !== undefined) {
        return {
          reasons: ['it forwards a separate "data" value; text.match forwards the text it tested'],
          todo: "add a logic.condition on text.match's matched to route the data",
        };
      }
      const flags = `${d.case_sensitive === false ? 'i' : ''}${d.dot_all === false ? '' : 's'}`;
      return byTable(
        context.ids.take('match'),
        'text.match',
        { flags, ...constants(node, context, { match: 'pattern', text: 'text' }) },
        { text: 'text', match: 'pattern' },
        { positive: 'positive', negative: 'negative' },
      );
    },
  },
  'e30a4d42-7b7d-4e6a-b36e-1f9b8e3b7d85': {
    name: 'CombineTextsBlock',
    map(node, context) {
      const d = node.input_default ?? {};
      const inputs = { separator: str(d.delimiter) ?? '', ...constants(node, context, { input: 'items' }) };
      return byTable(context.ids.take('join'), 'text.join', inputs, { input: 'items' }, { output: 'text' });
    },
  },
  'f66a3543-28d3-4ab5-8945-9b336371e2ce': {
    name: 'StepThroughItemsBlock',
    map: (node, context) =>
      byTable(context.ids.take('each'), 'list.iterate', constants(node, context, { items: 'items' }), { items: 'items' }, { item: 'item', key: 'key' }),
  },
  '6595ae1f-b924-42cb-9a41-551a0611c4b4': {
    name: 'SendWebRequestBlock',
    map(node, context) {
      const d = node.input_default ?? {};
      const json = d.json_format !== false;
      const inputs = { method: str(d.method) ?? 'POST', ...constants(node, context, { url: 'url', headers: 'headers', body: json ? 'json' : 'body' }) };
      const mapped = byTable(
        context.ids.take('request'),
        'http.request',
        inputs,
        { url: 'url', method: 'method', headers: 'headers', body: json ? 'json' : 'body' },
        { response: 'json', client_error: 'error', server_error: 'error' },
      );
      if (!json) mapped.lost = ['the body is sent as text; check the Content-Type header'];
      return mapped;
    },
  },
  'e189baac-8c20-45a1-94a7-55177ea42565': {
    name: 'AgentExecutorBlock',
    map(node, context) {
      const graphId = str(node.input_default?.graph_id) ?? '';
      const title = context.subGraphs.get(graphId);
      const agent = title ? pinKeyAgent(title) : undefined;
      if (!agent || !context.knownAgents.has(agent)) {
        return {
          reasons: [`runs another AutoGPT agent (graph ${graphId}${title ? `, "${title}"` : ''}) that is not an agent here yet`],
          todo: `import that agent first (trellis import autogpt <its export>)${agent ? ` as ${agent}` : ''}, then run this import again or add an agent.run node`,
        };
      }
      const id = context.ids.take(`run_${agent}`);
      const inputs = (node.input_default?.inputs ?? {}) as Record<string, unknown>;
      return {
        id,
        nodes: { [id]: { block: 'agent.run', inputs: { agent, inputs: escapeExpressions(withoutSecrets(inputs, 'inputs', context.withheld)) } } },
        sink: (pin, path) => (pin === 'inputs' ? [`${id}.inputs`, ...path.map(pinKey)].join('.') : null),
        source: (pin) => `${id}.${pinKey(pin)}`,
      };
    },
  },
  '8fa8c167-2002-47ce-aba8-97572fc5d387': {
    name: 'GenericWebhookTriggerBlock',
    map: (_node, context) => byTable(context.ids.take('webhook'), 'trigger.webhook', {}, {}, { payload: 'body' }),
  },
};

function pinKeyAgent(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '');
}
