// llm.chat against Anthropic's Messages API and an OpenAI-compatible server (base_url, the address policy).
import { describe, expect, it } from '@jest/globals';
import { apiKey, rejection } from '../../../../test/blocks/peers/block-context.js';
import { anthropicError, anthropicMessage, anthropicText, openAiCompletion, startLlmPeer } from '../../../../test/blocks/peers/llm-peers.js';
import { anthropic, chat, openai, useLlmPeers } from './llm.fixtures.js';

// One describe around the whole file: its hooks stay its own when it runs in a bundle (test/bundles).
describe('llm.chat', () => {
  useLlmPeers();

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
