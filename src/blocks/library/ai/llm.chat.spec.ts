// llm.chat against OpenAI's Chat Completions (the real SDK, a local peer): the request, credentials and system
// defaults, and each error the API answers. Anthropic and OpenAI-compatible servers: llm.chat.providers.spec.ts.
import { afterEach, describe, expect, it } from '@jest/globals';
import { apiKey, blockHarness, rejection } from '../../../../test/blocks/peers/block-context.js';
import { openAiCompletion, openAiError } from '../../../../test/blocks/peers/llm-peers.js';
import { waitFor } from '../../../../test/helpers/wait.js';
import { chat, openai, useLlmPeers } from './llm.fixtures.js';
import { llmChatBlock } from './llm.chat.js';

// One describe around the whole file: its hooks stay its own when it runs in a bundle (test/bundles).
describe('llm.chat', () => {
  useLlmPeers();

  const savedEnv = { OPENAI_API_KEY: process.env.OPENAI_API_KEY, ANTHROPIC_API_KEY: process.env.ANTHROPIC_API_KEY };

  afterEach(() => {
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  describe('llm.chat with OpenAI', () => {
    it('sends the conversation with the real SDK and yields the text and usage', async () => {
      openai.script(openAiCompletion('Hello there!', { prompt_tokens: 40, completion_tokens: 3 }));
      const out = await chat({
        system: 'You are terse.',
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Yes?' },
        ],
        prompt: 'Greet me',
        temperature: 0.2,
      });
      expect(out).toEqual({ text: 'Hello there!', usage: { input_tokens: 40, output_tokens: 3 } });
      const call = openai.calls().at(-1)!;
      expect(call.headers.authorization).toBe('Bearer sk-test-123');
      expect(call.json).toMatchObject({
        model: 'gpt-4.1-mini',
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Yes?' },
          { role: 'user', content: 'Greet me' },
        ],
        max_completion_tokens: 1024,
        temperature: 0.2,
      });
      expect(call.json).not.toHaveProperty('response_format');
    });

    it('uses the system default the run was admitted (default:openai) when the node maps no credential', async () => {
      openai.script(openAiCompletion('ok'));
      await chat({}, { credentials: {}, systemDefaults: { openai: apiKey('sk-from-env', 'openai', 'default:openai') } });
      expect(openai.calls().at(-1)!.headers.authorization).toBe('Bearer sk-from-env');
    });

    it('never reads the environment itself: without a credential or an admitted default it says how to give a key', async () => {
      process.env.OPENAI_API_KEY = 'sk-must-not-be-read';
      const before = openai.calls().length;
      const harness = blockHarness({ settings: { openaiBaseUrl: `${openai.url}/v1` } });
      const error = await rejection(harness.run(llmChatBlock, { model: 'gpt-4.1-mini', prompt: 'x' }));
      await harness.close();
      expect(error.code).toBe('CREDENTIAL_UNRESOLVED');
      expect(error.message).toContain('credentials: { llm: <credential name> }');
      expect(error.message).toContain('default:openai');
      expect(openai.calls().length).toBe(before);
    });

    it('never gives a system default to a node that sets its own base_url', async () => {
      const before = openai.calls().length;
      const error = await rejection(
        chat({ base_url: `${openai.url}/v1` }, { credentials: {}, systemDefaults: { openai: apiKey('sk-system', 'openai', 'default:openai') } }),
      );
      expect(error.code).toBe('CREDENTIAL_UNRESOLVED');
      expect(error.message).toContain('sets its own base_url, so it never receives a system default key');
      expect(openai.calls().length).toBe(before);
    });

    it("sends the key only to the credential's hosts", async () => {
      const before = openai.calls().length;
      const elsewhere = { ...apiKey('sk-bound', 'openai', 'team-openai'), hosts: ['api.openai.com'] };
      const error = await rejection(chat({}, { credentials: { llm: elsewhere } }));
      expect(error.code).toBe('CREDENTIAL_HOST_REFUSED');
      expect(error.message).toContain('Refused to send the credential "team-openai" to http://127.0.0.1:');
      expect(error.message).not.toContain('sk-bound');
      expect(openai.calls().length).toBe(before);
    });

    it('refuses a run with neither prompt nor messages', async () => {
      const error = await rejection(chat({ prompt: undefined }));
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toContain('give a prompt or messages');
    });

    it('turns 401 into a clear error naming the credential, not the key, without retrying', async () => {
      const before = openai.calls().length;
      openai.script(openAiError(401, 'Incorrect API key provided: sk-test***123.', 'invalid_request_error', 'invalid_api_key'));
      const error = await rejection(chat({}));
      expect(error.code).toBe('LLM_AUTH_FAILED');
      expect(error.message).toContain('OpenAI refused the API key (401');
      expect(error.message).toContain('"team-openai"');
      expect(error.message).not.toContain('sk-test-123');
      expect(openai.calls().length - before).toBe(1);
    });

    it('retries a 429 as the server asks, and says it was rate-limited when it persists', async () => {
      const before = openai.calls().length;
      const limited = () => openAiError(429, 'Rate limit reached for gpt-4.1-mini', 'requests', 'rate_limit_exceeded', { 'retry-after': '0' });
      openai.script(limited(), limited(), limited());
      const error = await rejection(chat({}));
      expect(error.code).toBe('LLM_RATE_LIMITED');
      expect(error.message).toContain('rate-limited the request (429: Rate limit reached for gpt-4.1-mini)');
      expect(error.message).toContain('after 2 retries');
      expect(error.details).toMatchObject({ status: 429, retry_after: '0' });
      expect(openai.calls().length - before).toBe(3);
    });

    it('succeeds when a retry after 429 gets through', async () => {
      openai.script(openAiError(429, 'Slow down', 'requests', 'rate_limit_exceeded', { 'retry-after': '0' }), openAiCompletion('made it'));
      expect((await chat({})).text).toBe('made it');
    });

    it('reports a persisting 5xx as the provider being unavailable', async () => {
      const down = () => openAiError(500, 'The server had an error while processing your request.', 'server_error', null, { 'retry-after': '0' });
      openai.script(down(), down(), down());
      const error = await rejection(chat({}));
      expect(error.code).toBe('LLM_UNAVAILABLE');
      expect(error.message).toContain('server error (500');
    });

    it('says to check the model on 404', async () => {
      openai.script(openAiError(404, 'The model `gpt-nope` does not exist or you do not have access to it.', 'invalid_request_error', 'model_not_found'));
      const error = await rejection(chat({ model: 'gpt-nope' }));
      expect(error.code).toBe('LLM_NOT_FOUND');
      expect(error.message).toContain('Check the model name "gpt-nope"');
    });

    it('reports malformed answers', async () => {
      openai.script({ status: 200, body: { id: 'x', object: 'chat.completion', choices: [] } });
      expect((await rejection(chat({}))).code).toBe('LLM_MALFORMED_ANSWER');
      openai.script({ status: 200, body: 'this is not JSON at all' });
      const notJson = await rejection(chat({}));
      expect(notJson.code).toBe('LLM_MALFORMED_ANSWER');
      expect(notJson.message).toContain('OpenAI Chat Completions');
    });

    it('stops promptly when the run is aborted mid-request', async () => {
      const controller = new AbortController();
      const before = openai.calls().length;
      openai.script({ status: 200, body: {}, hang: true });
      const pending = chat({}, { signal: controller.signal });
      await waitFor(
        () => openai.calls().length,
        (n) => n > before,
        { what: 'the request to reach the peer' },
      );
      controller.abort();
      expect((await rejection(pending)).code).toBe('CANCELLED');
    });
  });
});
