// Local stand-ins for the OpenAI and Anthropic APIs: a real HTTP server that answers, in order, the
// answers a test scripts, in the APIs' real shapes (bodies, error bodies, retry headers). The real SDKs
// are pointed at it by base URL.
import type { ServerResponse } from 'node:http';
import { sendJson, startHttpPeer, type HttpPeer, type RecordedRequest } from './http-peer.js';

export interface ScriptedAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Never answer (for abort tests). */
  hang?: boolean;
}

export interface LlmPeer extends HttpPeer {
  /** Queues answers, used one per request in order. */
  script(...answers: ScriptedAnswer[]): void;
  /** Requests to the API path (`/v1/chat/completions` or `/v1/messages`). */
  calls(): RecordedRequest[];
}

export async function startLlmPeer(apiPath: '/v1/chat/completions' | '/v1/messages'): Promise<LlmPeer> {
  const queue: ScriptedAnswer[] = [];
  const peer = await startHttpPeer((req, res: ServerResponse) => {
    const path = req.url.split('?')[0];
    if (req.method !== 'POST' || path !== apiPath) {
      return sendJson(res, 404, {
        error: { message: `test peer: unexpected ${req.method} ${req.url} (expected POST ${apiPath})`, type: 'invalid_request_error' },
      });
    }
    const answer = queue.shift();
    if (!answer) return sendJson(res, 500, { error: { message: 'test peer: no scripted answer left', type: 'server_error' } });
    if (answer.hang) return;
    if (typeof answer.body === 'string') {
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
      return void res.end(answer.body);
    }
    sendJson(res, answer.status, answer.body, answer.headers);
  });
  return Object.assign(peer, {
    script(...answers: ScriptedAnswer[]) {
      queue.push(...answers);
    },
    calls: () => peer.requests.filter((r) => r.url.split('?')[0] === apiPath),
  });
}

/** A chat.completion object as OpenAI answers it. */
export function openAiCompletion(content: string, usage = { prompt_tokens: 21, completion_tokens: 7 }, model = 'gpt-4.1-mini'): ScriptedAnswer {
  return {
    status: 200,
    headers: { 'x-request-id': 'req_test_1' },
    body: {
      id: 'chatcmpl-test123',
      object: 'chat.completion',
      created: 1_760_000_000,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
      system_fingerprint: 'fp_test',
    },
  };
}

/** A chat.completion whose message asks for these tool calls (`[id, tool name, arguments]`), as OpenAI answers it. */
export function openAiToolCalls(calls: Array<[id: string, name: string, args: unknown]>, usage = { prompt_tokens: 10, completion_tokens: 2 }): ScriptedAnswer {
  return openAiRawToolCalls(
    calls.map(([id, name, args]) => ({ id, name, arguments: JSON.stringify(args) })),
    usage,
  );
}

/** The same, with each call's arguments as the exact text the model wrote (which may be invalid JSON). */
export function openAiRawToolCalls(
  calls: Array<{ id: string; name: string; arguments: string }>,
  usage = { prompt_tokens: 10, completion_tokens: 2 },
): ScriptedAnswer {
  const answer = openAiCompletion('', usage);
  const choice = (answer.body as { choices: { message: Record<string, unknown>; finish_reason: string }[] }).choices[0]!;
  choice.message = {
    role: 'assistant',
    content: null,
    refusal: null,
    tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
  };
  choice.finish_reason = 'tool_calls';
  return answer;
}

/** OpenAI's error body: `{error: {message, type, param, code}}`. */
export function openAiError(status: number, message: string, type: string, code: string | null, headers: Record<string, string> = {}): ScriptedAnswer {
  return { status, headers, body: { error: { message, type, param: null, code } } };
}

/** A Message object as Anthropic answers it. */
export function anthropicMessage(
  content: unknown[],
  usage = { input_tokens: 30, output_tokens: 9 },
  stopReason = 'end_turn',
  model = 'claude-sonnet-4-6',
): ScriptedAnswer {
  return {
    status: 200,
    headers: { 'request-id': 'req_test_1' },
    body: {
      id: 'msg_test123',
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      usage: { ...usage, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, service_tier: 'standard' },
    },
  };
}

export function anthropicText(text: string): { type: 'text'; text: string; citations: null } {
  return { type: 'text', text, citations: null };
}

export function anthropicToolUse(input: unknown, name = 'answer'): { type: 'tool_use'; id: string; name: string; input: unknown } {
  return { type: 'tool_use', id: 'toolu_test01', name, input };
}

/** Anthropic's error body: `{type: "error", error: {type, message}, request_id}`. */
export function anthropicError(status: number, type: string, message: string, headers: Record<string, string> = {}): ScriptedAnswer {
  return { status, headers, body: { type: 'error', error: { type, message }, request_id: 'req_test_err' } };
}
