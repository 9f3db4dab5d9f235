import { describe, expect, it } from '@jest/globals';
import { apiKey, blockHarness, rejection } from '../../../../test/blocks/peers/block-context.js';
import { anthropicMessage, anthropicText, anthropicToolUse, openAiCompletion } from '../../../../test/blocks/peers/llm-peers.js';
import { anthropic, openai, useLlmPeers } from './llm.fixtures.js';
import { parseJsonAnswer, llmStructuredBlock } from './llm.structured.js';

const PERSON = {
  type: 'object',
  properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0 } },
  required: ['name', 'age'],
  additionalProperties: false,
};

useLlmPeers();

async function structured(inputs: Record<string, unknown>) {
  const harness = blockHarness({
    credentials: { llm: apiKey('sk-test', typeof inputs.provider === 'string' ? inputs.provider : 'openai') },
    settings: { openaiBaseUrl: `${openai.url}/v1`, anthropicBaseUrl: anthropic.url },
  });
  try {
    return await harness.outputs(llmStructuredBlock, { model: 'gpt-4.1-mini', prompt: 'Extract the person: Ada, 36.', schema: PERSON, ...inputs });
  } finally {
    await harness.close();
  }
}

describe('llm.structured with OpenAI', () => {
  it('asks for the schema as a json_schema response format and yields the validated object', async () => {
    openai.script(openAiCompletion('{"name":"Ada","age":36}', { prompt_tokens: 50, completion_tokens: 8 }));
    const out = await structured({});
    expect(out).toEqual({ object: { name: 'Ada', age: 36 }, usage: { input_tokens: 50, output_tokens: 8 } });
    const body = openai.calls().at(-1)!.json as { response_format: unknown; messages: Array<{ role: string; content: string }> };
    expect(body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'answer', schema: PERSON, strict: false } });
    expect(body.messages[0]!.role).toBe('system');
    expect(body.messages[0]!.content).toContain('JSON Schema');
  });

  it('sends a misfit back once with the problems, and yields the corrected answer with both usages summed', async () => {
    openai.script(
      openAiCompletion('{"name":"Ada","age":"thirty-six"}', { prompt_tokens: 50, completion_tokens: 9 }),
      openAiCompletion('```json\n{"name":"Ada","age":36}\n```', { prompt_tokens: 80, completion_tokens: 8 }),
    );
    const out = await structured({});
    expect(out).toEqual({ object: { name: 'Ada', age: 36 }, usage: { input_tokens: 130, output_tokens: 17 } });
    const retry = openai.calls().at(-1)!.json as { messages: Array<{ role: string; content: string }> };
    const [assistant, feedback] = retry.messages.slice(-2);
    expect(assistant).toEqual({ role: 'assistant', content: '{"name":"Ada","age":"thirty-six"}' });
    expect(feedback!.role).toBe('user');
    expect(feedback!.content).toContain('/age');
    expect(feedback!.content).toContain('whole number');
  });

  it('fails clearly when the second answer does not fit either', async () => {
    openai.script(openAiCompletion('not json'), openAiCompletion('{"name":"Ada"}'));
    const error = await rejection(structured({}));
    expect(error.code).toBe('LLM_INVALID_ANSWER');
    expect(error.message).toContain('did not fit the schema, twice');
    expect(error.message).toContain('age');
    const retry = openai.calls().at(-1)!.json as { messages: Array<{ content: string }> };
    expect(retry.messages.at(-1)!.content).toContain('not valid JSON');
  });

  it('wraps a schema whose root is not an object, and unwraps the answer', async () => {
    openai.script(openAiCompletion('{"value":["a","b"]}'));
    const out = await structured({ schema: { type: 'array', items: { type: 'string' } } });
    expect(out.object).toEqual(['a', 'b']);
    const body = openai.calls().at(-1)!.json as { response_format: { json_schema: { schema: unknown } } };
    expect(body.response_format.json_schema.schema).toEqual({
      type: 'object',
      properties: { value: { type: 'array', items: { type: 'string' } } },
      required: ['value'],
      additionalProperties: false,
    });
  });

  it('refuses a schema that is not a JSON Schema, before any request', async () => {
    const before = openai.calls().length;
    const error = await rejection(structured({ schema: { type: 'thing' } }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('schema');
    expect(openai.calls().length).toBe(before);
  });
});

describe('llm.structured with Anthropic', () => {
  it('forces an answer tool whose input schema is the schema, and yields its input', async () => {
    anthropic.script(anthropicMessage([anthropicToolUse({ name: 'Ada', age: 36 })], { input_tokens: 60, output_tokens: 12 }, 'tool_use'));
    const out = await structured({ provider: 'anthropic', model: 'claude-sonnet-4-6' });
    expect(out).toEqual({ object: { name: 'Ada', age: 36 }, usage: { input_tokens: 60, output_tokens: 12 } });
    expect(anthropic.calls().at(-1)!.json).toMatchObject({
      tools: [{ name: 'answer', input_schema: PERSON }],
      tool_choice: { type: 'tool', name: 'answer' },
    });
  });

  it('answers a misfit with a tool_result marked as an error, then takes the corrected input', async () => {
    anthropic.script(
      anthropicMessage([anthropicToolUse({ name: 'Ada', age: -1 })], undefined, 'tool_use'),
      anthropicMessage([anthropicToolUse({ name: 'Ada', age: 36 })], undefined, 'tool_use'),
    );
    const out = await structured({ provider: 'anthropic', model: 'claude-sonnet-4-6' });
    expect(out.object).toEqual({ name: 'Ada', age: 36 });
    const retry = anthropic.calls().at(-1)!.json as { messages: Array<{ role: string; content: unknown }> };
    expect(retry.messages.at(-2)).toMatchObject({ role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_test01', input: { name: 'Ada', age: -1 } }] });
    expect(retry.messages.at(-1)).toMatchObject({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_test01', is_error: true }] });
  });

  it('reads JSON from a text answer when the model answers in text', async () => {
    anthropic.script(anthropicMessage([anthropicText('{"name":"Ada","age":36}')]));
    expect((await structured({ provider: 'anthropic', model: 'claude-sonnet-4-6' })).object).toEqual({ name: 'Ada', age: 36 });
  });
});

describe('parseJsonAnswer', () => {
  it('reads plain and fenced JSON, and explains what is not JSON', () => {
    expect(parseJsonAnswer(' {"a":1} ')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJsonAnswer('```json\n[1,2]\n```')).toEqual({ ok: true, value: [1, 2] });
    expect(parseJsonAnswer('```\n"x"\n```')).toEqual({ ok: true, value: 'x' });
    const bad = parseJsonAnswer('Sure! Here it is');
    expect(bad.ok).toBe(false);
  });
});
