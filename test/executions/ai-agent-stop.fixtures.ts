// What the stop tests of ai.agent share: a local OpenAI-compatible model server, a tool server that holds each
// request open (and notes when the client goes away), and an app that may call both.
import type { ServerResponse } from 'node:http';
import { startHttpPeer, type HttpPeer } from '../blocks/peers/http-peer.js';
import { startLlmPeer, type LlmPeer } from '../blocks/peers/llm-peers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

/** The tool's request, held open until the client goes away. */
export interface HeldRequest {
  response?: ServerResponse;
  closed: boolean;
}

export interface StopHarness {
  t: TestApp;
  llm: LlmPeer;
  api: HttpPeer;
  held: HeldRequest;
}

export async function startStopHarness(label: string, adminKey: string): Promise<StopHarness> {
  const held: HeldRequest = { closed: false };
  const llm = await startLlmPeer('/v1/chat/completions');
  const api = await startHttpPeer((_req, res) => {
    held.response = res;
    res.on('close', () => void (held.closed = true));
  });
  const t = await createTestApp({
    label,
    env: { TRELLIS_ADMIN_API_KEY: adminKey },
    overrides: { http: { allow_private_addresses: true }, integrations: { openai: { base_url: `${llm.url}/v1` } } },
  });
  return { t, llm, api, held };
}
