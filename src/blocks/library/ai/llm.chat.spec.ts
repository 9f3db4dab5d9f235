import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { apiKey, blockHarness, rejection, type TestContextOptions } from '../../../../test/blocks/peers/block-context.js';
import {
  anthropicError,
  anthropicMessage,
  anthropicText,
  openAiCompletion,
  openAiError,
  startLlmPeer,
  type LlmPeer,
} from '../../../../test/blocks/peers/llm-peers.js';
import { waitFor } from '../../../../test/helpers/wait.js';
import { llmChatBlock } from './llm.chat.js';

// One describe around the whole file: its hooks stay its own when it runs in a bundle (test/bundles).
describe('llm.chat', () => {
  let openai: LlmPeer;
  let anthropic: LlmPeer;
  const savedEnv = { OPENAI_API_KEY: process.env.OPENAI_API_KEY, ANTHROPIC_API_KEY: process.env.ANTHROPIC_API_KEY };

  beforeAll(async () => {
    openai = await startLlmPeer('/v1/chat/completions');
    anthropic = await startLlmPeer('/v1/messages');
  });

  afterEach(() => {
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  afterAll(async () => {
    await openai.close();
    await anthropic.close();
  });

  async function chat(inputs: Record<string, unknown>, options: TestContextOptions = {}) {
    const harness = blockHarness({
      credentials: { llm: apiKey('sk-test-123', 'openai', 'team-openai') },
      ...options,
      settings: { openaiBaseUrl: `${openai.url}/v1`, anthropicBaseUrl: anthropic.url, ...options.settings },
    });
    try {
      return await harness.outputs(llmChatBlock, { model: 'gpt-4.1-mini', prompt: 'Say hi', ...inputs });
    } finally {
      await harness.close();
    }
  }

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

  /** Anthropic's SDK waits its default back-off for retry-after: 0; retry-after-ms lets tests retry at once. */
  const RETRY_SOON = { 'retry-after': '1', 'retry-after-ms': '5' };

  describe('llm.chat with Anthropic', () => {
    const anthropicKey = { credentials: { llm: apiKey('sk-ant-test', 'anthropic', 'team-anthropic') } };

    it('sends the Messages API request and yields the text and usage', async () => {
      anthropic.script(anthropicMessage([anthropicText('Bonjour'), anthropicText('!')], { input_tokens: 25, output_tokens: 4 }));
      const out = await chat(
        {
          provider: 'anthropic',
          model: 'claude-sonnet-4-6',
          system: 'Answer in French.',
          messages: [{ role: 'system', content: 'Be brief.' }],
          prompt: 'Say hello',
          max_tokens: 200,
        },
        anthropicKey,
      );
      expect(out).toEqual({ text: 'Bonjour!', usage: { input_tokens: 25, output_tokens: 4 } });
      const call = anthropic.calls().at(-1)!;
      // @anthropic-ai/sdk v1 sends the API key as a bearer token.
      expect(call.headers.authorization).toBe('Bearer sk-ant-test');
      expect(call.headers['anthropic-version']).toBeDefined();
      expect(call.json).toMatchObject({
        model: 'claude-sonnet-4-6',
        max_tokens: 200,
        system: 'Answer in French.\n\nBe brief.',
        messages: [{ role: 'user', content: 'Say hello' }],
      });
    });

    it('never sends the OpenAI key to Anthropic: its own system default (default:anthropic) or nothing', async () => {
      const openaiDefault = { openai: apiKey('sk-openai-env', 'openai', 'default:openai') };
      const before = anthropic.calls().length;
      const missing = await rejection(chat({ provider: 'anthropic', model: 'claude-haiku-4-5' }, { credentials: {}, systemDefaults: openaiDefault }));
      expect(missing.code).toBe('CREDENTIAL_UNRESOLVED');
      expect(missing.message).toContain('default:anthropic');
      expect(anthropic.calls().length).toBe(before);
      anthropic.script(anthropicMessage([anthropicText('ok')]));
      await chat(
        { provider: 'anthropic', model: 'claude-haiku-4-5' },
        { credentials: {}, systemDefaults: { ...openaiDefault, anthropic: apiKey('sk-ant-env', 'anthropic', 'default:anthropic') } },
      );
      expect(anthropic.calls().at(-1)!.headers.authorization).toBe('Bearer sk-ant-env');
    });

    it('refuses a key stored for OpenAI when the node asks Anthropic', async () => {
      const before = anthropic.calls().length;
      const error = await rejection(chat({ provider: 'anthropic', model: 'claude-sonnet-4-6' }));
      expect(error.code).toBe('CREDENTIAL_UNRESOLVED');
      expect(error.message).toContain('"team-openai" mapped to "llm" is for openai, but this node asks anthropic');
      expect(anthropic.calls().length).toBe(before);
    });

    it('turns authentication and overload errors into clear errors', async () => {
      anthropic.script(anthropicError(401, 'authentication_error', 'invalid x-api-key'));
      const auth = await rejection(chat({ provider: 'anthropic', model: 'claude-sonnet-4-6' }, anthropicKey));
      expect(auth.code).toBe('LLM_AUTH_FAILED');
      expect(auth.message).toContain('Anthropic refused the API key (401: invalid x-api-key)');
      const overloaded = () => anthropicError(529, 'overloaded_error', 'Overloaded', RETRY_SOON);
      anthropic.script(overloaded(), overloaded(), overloaded());
      const busy = await rejection(chat({ provider: 'anthropic', model: 'claude-sonnet-4-6' }, anthropicKey));
      expect(busy.code).toBe('LLM_UNAVAILABLE');
      expect(busy.message).toContain('overloaded');
    });

    it('says it was rate-limited, with the wait the server asked for', async () => {
      const limited = () => anthropicError(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', RETRY_SOON);
      anthropic.script(limited(), limited(), limited());
      const error = await rejection(chat({ provider: 'anthropic', model: 'claude-sonnet-4-6' }, anthropicKey));
      expect(error.code).toBe('LLM_RATE_LIMITED');
      expect(error.message).toContain('Anthropic rate-limited the request (429: Number of request tokens');
      expect(error.message).toContain('it asked to wait 1 s');
    });

    it('reports an answer without text as malformed', async () => {
      anthropic.script(anthropicMessage([]));
      expect((await rejection(chat({ provider: 'anthropic', model: 'claude-sonnet-4-6' }, anthropicKey))).code).toBe('LLM_MALFORMED_ANSWER');
    });
  });

  describe('llm.chat with an OpenAI-compatible server', () => {
    it('takes the base_url pin, sends no key when none is mapped, and uses max_tokens', async () => {
      openai.script(openAiCompletion('from llama', { prompt_tokens: 5, completion_tokens: 2 }, 'llama3.2'));
      const systemDefaults = { openai: apiKey('sk-must-not-leak', 'openai', 'default:openai') };
      const out = await chat(
        { provider: 'openai_compatible', base_url: `${openai.url}/v1`, model: 'llama3.2' },
        { credentials: {}, systemDefaults, settings: { openaiBaseUrl: undefined } },
      );
      expect(out.text).toBe('from llama');
      const call = openai.calls().at(-1)!;
      expect(call.headers.authorization).toBe('Bearer no-key');
      expect(call.json).toMatchObject({ model: 'llama3.2', max_tokens: 1024 });
      expect(call.json).not.toHaveProperty('max_completion_tokens');
    });

    it('applies the private-address policy to a base_url pin', async () => {
      const before = openai.calls().length;
      const error = await rejection(
        chat(
          { provider: 'openai_compatible', base_url: `${openai.url}/v1`, model: 'llama3.2' },
          { credentials: {}, settings: { allowPrivateAddresses: false } },
        ),
      );
      expect(error.code).toBe('OUTBOUND_ADDRESS_REFUSED');
      expect(error.message).toContain('http.allow_private_addresses');
      expect(openai.calls().length).toBe(before);
    });

    it('trusts a base URL from config even with private addresses off', async () => {
      openai.script(openAiCompletion('configured'));
      const out = await chat({ provider: 'openai_compatible', model: 'qwen' }, { credentials: {}, settings: { allowPrivateAddresses: false } });
      expect(out.text).toBe('configured');
    });

    it('asks for a base URL when neither the pin nor config gives one', async () => {
      const error = await rejection(chat({ provider: 'openai_compatible', model: 'qwen' }, { settings: { openaiBaseUrl: undefined } }));
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toContain('base URL');
    });

    it('says when the server cannot be reached', async () => {
      const gone = await startLlmPeer('/v1/chat/completions');
      await gone.close();
      const error = await rejection(chat({ provider: 'openai_compatible', base_url: `${gone.url}/v1`, model: 'qwen' }, { credentials: {} }));
      expect(error.code).toBe('OUTBOUND_REQUEST_FAILED');
      expect(error.message).toContain('refused');
    });
  });
});
