// The one place a credential meets a request: its headers are attached only to a URL its `hosts` admit
// (a credential without `hosts`, a user's own, goes wherever its block sends it), and on a redirect to
// another origin exactly the headers attached from it are dropped: the client knows which they are, so
// no list of header names decides. Used by the outbound client, and by the SDK blocks (OpenAI,
// Anthropic, Octokit) through `credentialFetch`, whose auth headers are moved into an attachment.
import { urlMatchesHosts } from '../../common/credential-hosts.js';
import type { BlockHttpClient, BlockRequestInit, CredentialAttachment, ResolvedCredential } from '../block.types.js';
import { credentialHostRefused } from './outbound.errors.js';

/** Sets the attachment's headers on `headers` for a request to `url`; answers their names (lower case). */
export function attachCredential(headers: Headers, url: URL, attachment: CredentialAttachment | undefined): string[] {
  if (!attachment) return [];
  const { credential } = attachment;
  if (credential.hosts && !urlMatchesHosts(url, credential.hosts)) throw credentialHostRefused(credential.name, url, credential.hosts);
  const names: string[] = [];
  for (const [name, value] of Object.entries(attachment.headers)) {
    headers.set(name, value);
    names.push(name.toLowerCase());
  }
  return names;
}

/**
 * A fetch for an SDK client that sets its own auth header (`headerNames`, e.g. authorization or
 * x-api-key) from `credential`: each request goes through `client` with those headers as an attachment.
 */
export function credentialFetch(client: BlockHttpClient, credential: ResolvedCredential | undefined, headerNames: readonly string[]): typeof fetch {
  return (input, init) => {
    const url = input instanceof Request ? input.url : input;
    // Without a credential the SDK's placeholder key (a key-less Ollama) is no secret: sent as it is.
    if (!credential) return client.fetch(url, init as BlockRequestInit);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    const attached: Record<string, string> = {};
    for (const name of headerNames) {
      const value = headers.get(name);
      headers.delete(name);
      if (value !== null) attached[name] = value;
    }
    return client.fetch(url, { ...(init as BlockRequestInit), headers, credential: { credential, headers: attached } });
  };
}

/**
 * A client over plain fetch for base URLs the operator configured (an internal GitHub Enterprise or
 * Ollama may be private): the same credential rule, and no redirect is followed with a credential.
 */
export function operatorUrlClient(signal: AbortSignal): BlockHttpClient {
  return {
    async fetch(input, init = {}) {
      const { credential, maxResponseBytes: _max, timeoutMs: _timeout, ...rest } = init;
      const url = new URL(String(input));
      const headers = new Headers(rest.headers);
      const attached = attachCredential(headers, url, credential);
      const signals = [signal, rest.signal ?? undefined].filter((s): s is AbortSignal => s !== undefined);
      return fetch(url, { ...rest, headers, signal: AbortSignal.any(signals), ...(attached.length ? { redirect: 'manual' as const } : {}) });
    },
  };
}
