// AutoGPT's LLM blocks (text generator, conversation, structured response) as llm.chat / llm.structured;
// `prompt_values` become a text.template feeding the prompt, the credential a name.
import type { MappedNode } from './import.builder.js';
import { credentialNameOf, escapeExpressions } from './import.helpers.js';
import { constants, pinKey, renameTemplateKeys, str, type AutogptMapContext, type AutogptNode } from './autogpt.shared.js';

function llmCredential(node: AutogptNode, context: AutogptMapContext, nodeId: string): Record<string, string> | undefined {
  const meta = node.input_default?.credentials as { title?: string; provider?: string } | undefined;
  if (!meta || typeof meta !== 'object') return undefined;
  const name = credentialNameOf(meta.title, meta.provider ?? 'llm');
  context.credential(name, 'llm', `an api_key credential for ${meta.provider ?? 'the model provider'} (node ${nodeId})`);
  return { llm: name };
}

function providerOf(model: string | undefined): 'openai' | 'anthropic' {
  return model && /claude|anthropic/i.test(model) ? 'anthropic' : 'openai';
}

const IGNORED_LLM_FIELDS = ['retry', 'ollama_host', 'compress_prompt_to_fit', 'conversation_history', 'list_result'];

export function llmBlock(block: 'llm.chat' | 'llm.structured', responsePin: string, node: AutogptNode, context: AutogptMapContext): MappedNode {
  const id = context.ids.take(block === 'llm.chat' ? 'llm' : 'llm_structured');
  const d = node.input_default ?? {};
  const model = str(d.model) ?? 'gpt-4o-mini';
  const inputs: Record<string, unknown> = {
    provider: providerOf(model),
    ...constants(node, context, { model: 'model', sys_prompt: 'system', max_tokens: 'max_tokens', messages: 'messages' }),
  };
  if (!('model' in inputs) && !context.linkedInputs.has('model')) inputs.model = model;
  const lost = IGNORED_LLM_FIELDS.filter((field) => d[field] !== undefined).map((field) => `input "${field}" has no equivalent and was left out`);
  if (block === 'llm.structured') {
    const format = (d.expected_format ?? {}) as Record<string, unknown>;
    inputs.schema = {
      type: 'object',
      properties: Object.fromEntries(Object.entries(format).map(([key, about]) => [key, { type: 'string', description: String(about) }])),
      required: Object.keys(format),
    };
  }
  const credentials = llmCredential(node, context, id);
  const values = (d.prompt_values ?? {}) as Record<string, unknown>;
  const templated = Object.keys(values).length > 0 || context.linkedInputs.has('prompt_values');
  const nodes: MappedNode['nodes'] = {};
  const links: string[] = [];
  let promptNode: string | null = null;
  if (templated) {
    promptNode = context.ids.take(`${id}_prompt`);
    const keys = [...Object.keys(values), ...context.linkedKeys];
    const template = renameTemplateKeys(str(d.prompt) ?? '', keys);
    const constantValues = Object.fromEntries(Object.entries(values).map(([k, v]) => [pinKey(k), escapeExpressions(v)]));
    nodes[promptNode] = { block: 'text.template', inputs: { template: escapeExpressions(template), values: constantValues } };
    links.push(`${promptNode}.text -> ${id}.prompt`);
  } else if (str(d.prompt) !== undefined && !context.linkedInputs.has('prompt')) {
    inputs.prompt = escapeExpressions(d.prompt);
  }
  nodes[id] = { block, inputs, ...(credentials ? { credentials } : {}) };
  const ins: Record<string, string> = { model: 'model', sys_prompt: 'system', max_tokens: 'max_tokens', messages: 'messages' };
  return {
    id,
    nodes,
    links,
    sink: (pin, path) => {
      if (pin === 'prompt') return promptNode ? `${promptNode}.template` : `${id}.prompt`;
      if (pin === 'prompt_values' && promptNode) return [`${promptNode}.values`, ...path.map(pinKey)].join('.');
      return ins[pin] ? `${id}.${ins[pin]}` : null;
    },
    source: (pin) => (pin === 'response' ? `${id}.${responsePin}` : null),
    ...(lost.length ? { lost } : {}),
  };
}
