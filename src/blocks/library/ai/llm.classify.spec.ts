import { describe, expect, it } from '@jest/globals';
import { apiKey, blockHarness, rejection } from '../../../../test/blocks/peers/block-context.js';
import { anthropicMessage, anthropicText, openAiCompletion } from '../../../../test/blocks/peers/llm-peers.js';
import { anthropic, openai, useLlmPeers } from './llm.fixtures.js';
import { compileBlock } from '../../block-validator.js';
import { llmClassifyBlock, pickLabel } from './llm.classify.js';

const LABELS = ['bug', 'feature_request', 'question'];

useLlmPeers();

async function classify(inputs: Record<string, unknown>) {
  const harness = blockHarness({
    credentials: { llm: apiKey('sk-test', typeof inputs.provider === 'string' ? inputs.provider : 'openai') },
    settings: { openaiBaseUrl: `${openai.url}/v1`, anthropicBaseUrl: anthropic.url },
  });
  try {
    return await harness.run(llmClassifyBlock, { model: 'gpt-4.1-mini', text: 'The app crashes when I save.', labels: LABELS, ...inputs });
  } finally {
    await harness.close();
  }
}

describe('llm.classify', () => {
  it('yields the label, then the text on the pin of that label, then usage', async () => {
    openai.script(openAiCompletion('bug', { prompt_tokens: 30, completion_tokens: 1 }));
    const yields = await classify({});
    expect(yields).toEqual([
      ['label', 'bug'],
      ['bug', 'The app crashes when I save.'],
      ['usage', { input_tokens: 30, output_tokens: 1 }],
    ]);
    const body = openai.calls().at(-1)!.json as { messages: Array<{ role: string; content: string }> };
    expect(body.messages[0]!.content).toContain('bug, feature_request, question');
    expect(body.messages.at(-1)!.content).toContain('The app crashes when I save.');
  });

  it('reads a label wrapped in quotes, punctuation or a short sentence', async () => {
    openai.script(openAiCompletion('"Feature request."'));
    expect((await classify({ text: 'Please add dark mode' }))[0]).toEqual(['label', 'feature_request']);
    anthropic.script(anthropicMessage([anthropicText('This is a question.')]));
    expect((await classify({ provider: 'anthropic', model: 'claude-haiku-4-5', text: 'How do I log in?' }))[0]).toEqual(['label', 'question']);
  });

  it('asks once more when the answer is not a label, then takes the right one', async () => {
    openai.script(openAiCompletion('It could be a bug or a question.'), openAiCompletion('question'));
    const yields = await classify({});
    expect(yields[0]).toEqual(['label', 'question']);
    const retry = openai.calls().at(-1)!.json as { messages: Array<{ role: string; content: string }> };
    expect(retry.messages.at(-1)!.content).toContain('Answer with exactly one of: bug, feature_request, question');
  });

  it('fails clearly after a second answer that is not a label', async () => {
    openai.script(openAiCompletion('maybe'), openAiCompletion('no idea'));
    const error = await rejection(classify({}));
    expect(error.code).toBe('LLM_INVALID_ANSWER');
    expect(error.message).toContain('"no idea", which is not one of the labels (bug, feature_request, question)');
  });

  it('declares one output pin per label, and refuses labels that cannot be pins', () => {
    expect(llmClassifyBlock.dynamicOutputs?.({ labels: LABELS }, { agentOutputs: () => undefined })).toEqual(LABELS);
    const compiled = compileBlock(llmClassifyBlock);
    const problems = compiled.constantProblems({ model: 'm', labels: ['Bug Report', 'label'] });
    expect(problems.map((p) => p.pointer)).toEqual(expect.arrayContaining(['/labels/0', '/labels/1']));
    expect(compiled.constantProblems({ model: 'm', labels: ['only_one'] }).length).toBeGreaterThan(0);
  });
});

describe('pickLabel', () => {
  it.each([
    ['bug', 'bug'],
    ['  BUG\n', 'bug'],
    ['**question**', 'question'],
    ['feature request', 'feature_request'],
    ['Label: bug', 'bug'],
    ['bug or question', null],
    ['debugging', null],
    ['', null],
  ])('%j -> %j', (answer, label) => {
    expect(pickLabel(answer, LABELS)).toBe(label);
  });
});
