// `http.request`: one HTTP request through the outbound client (private addresses refused unless
// http.allow_private_addresses, size-capped, abortable), yielding the status, headers and body.
import { urlMatchesHosts } from '../../../common/credential-hosts.js';
import { parseDuration } from '../../../common/units.js';
import type { ResolvedCredential } from '../../block.types.js';
import { BlockError, invalidPin } from '../../blocks.errors.js';
import { credentialField, findCredential } from '../../outbound/credentials.js';
import { anyValue, defineBlock, dict, optional, Type, withDefault } from '../../pins.js';
import { headersRecord, isJsonContentType, parseJsonOrNull, safeUrl } from '../../outbound/response.js';
import { blockErrors, OUTBOUND_ERRORS } from '../../block-errors.catalog.js';

const ID = 'http.request';
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
const SCALAR = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);

export const httpRequestBlock = defineBlock({
  id: ID,
  description:
    'Sends one HTTP request and yields the status, headers and body (json too, when the answer is JSON). ' +
    'A body that is not text (not valid UTF-8, or holding U+0000: an image, a zip) comes out as `body: null` ' +
    'and `body_base64`. ' +
    'Give a text `body` or a `json` value, not both. Private, loopback and link-local addresses are refused ' +
    '(also after redirects and DNS resolution) unless http.allow_private_addresses is on. Side effects: a retried ' +
    'or re-run attempt sends the request again.',
  category: 'http',
  inputs: {
    url: Type.String({ minLength: 1, format: 'uri', description: 'The full http:// or https:// URL.' }),
    method: withDefault(Type.Enum([...METHODS], { description: 'The HTTP method.' }), 'GET'),
    headers: optional(dict(Type.String(), { description: 'Request headers, name -> value.' })),
    query: optional(dict(Type.Union([SCALAR, Type.Array(SCALAR)]), { description: 'Query parameters added to the URL; a list repeats the parameter.' })),
    body: optional(Type.String({ description: 'The request body as text (not with `json`).' })),
    json: optional(anyValue({ description: 'A JSON value sent as the body with Content-Type: application/json (not with `body`).' })),
    timeout: withDefault(Type.String({ format: 'duration', description: 'How long to wait for the whole answer, e.g. 30s.' }), '30s'),
    follow_redirects: withDefault(Type.Boolean({ description: 'Follow 3xx redirects (at most 10), each hop checked like the first.' }), true),
    fail_on_status: withDefault(Type.Boolean({ description: 'Treat a 4xx or 5xx answer as an error (else yield it).' }), true),
  },
  outputs: {
    status: Type.Integer({ description: 'The HTTP status code.' }),
    headers: dict(Type.String(), { description: 'Response headers, lower-case name -> value.' }),
    body: Type.Union([Type.String(), Type.Null()], { description: 'The response body as text; null when it is not text (see body_base64).' }),
    body_base64: Type.Union([Type.String(), Type.Null()], {
      description: 'The response body in base64 when it is not text (not valid UTF-8, or holding U+0000); else null.',
    }),
    json: anyValue({ description: 'The body parsed, when the answer is JSON; else null.' }),
  },
  credentials: {
    auth: {
      provider: 'http',
      types: ['api_key', 'user_password', 'header', 'oauth2'],
      optional: true,
      description:
        'api_key is sent as Authorization: Bearer <key>, user_password as Basic, header as that header, oauth2 as Bearer <access token> ' +
        '(refreshed before expiry, and once more when the API answers 401; only to the hosts of integrations.oauth2.<provider>.hosts or its own).',
    },
  },
  cost: 1,
  sideEffects: true,
  errors: blockErrors('CREDENTIAL_UNRESOLVED', 'CREDENTIAL_HOSTS_REQUIRED', 'CREDENTIAL_REFRESH_FAILED', 'HTTP_STATUS', ...OUTBOUND_ERRORS),
  async *run(inputs, context) {
    if (inputs.body !== undefined && inputs.json !== undefined) {
      throw invalidPin(ID, 'json', 'give either a text body or a json value, not both');
    }
    const hasBody = inputs.body !== undefined || inputs.json !== undefined;
    if (hasBody && (inputs.method === 'GET' || inputs.method === 'HEAD')) {
      throw invalidPin(ID, 'method', `a ${inputs.method} request cannot carry a body; use POST, PUT or PATCH, or drop body/json`);
    }
    let url: URL;
    try {
      url = new URL(inputs.url);
    } catch {
      throw invalidPin(ID, 'url', `"${inputs.url}" is not a full URL; write it like https://api.example.com/items`);
    }
    for (const [name, value] of Object.entries(inputs.query ?? {})) {
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(item));
    }
    const headers = new Headers(inputs.headers ?? {});
    let credential = findCredential(context, { blockId: ID, field: 'auth', types: ['api_key', 'user_password', 'header', 'oauth2'] });
    if (credential?.type === 'oauth2' && !credential.hosts) {
      throw new BlockError(
        'CREDENTIAL_HOSTS_REQUIRED',
        `the oauth2 credential "${credential.name}" has no hosts: http.request sends an oauth2 token only where integrations.oauth2.${credential.provider}.hosts (or the credential's own hosts) allow`,
      );
    }
    let body: string | undefined = inputs.body;
    if (inputs.json !== undefined) {
      body = JSON.stringify(inputs.json);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    }
    // Attached by the outbound client: only to the credential's hosts, and dropped on a redirect to another origin.
    const send = (auth: ResolvedCredential | undefined) =>
      context.http.fetch(url, {
        method: inputs.method,
        headers,
        body,
        redirect: inputs.follow_redirects ? 'follow' : 'manual',
        timeoutMs: parseDuration(inputs.timeout) ?? 30_000,
        ...(auth ? { credential: { credential: auth, headers: authHeaders(auth) } } : {}),
      });

    let response = await send(credential);
    if (response.status === 401 && credential?.type === 'oauth2' && credential.refresh && answeredByCredentialHost(response, url, credential)) {
      // The token was revoked or expired early: one refresh (shared with every concurrent caller), one more try.
      // Not for a 401 from a host a redirect led to: the token never went there.
      const rejected = credentialField(credential, 'access_token', ID);
      const renewed = await credential.refresh(rejected).catch((error: unknown) => {
        throw new BlockError(
          'CREDENTIAL_REFRESH_FAILED',
          `the API answered 401 and ${error instanceof Error ? error.message : 'the token could not be refreshed'}`,
        );
      });
      if (renewed.fields.access_token && renewed.fields.access_token !== rejected) {
        await response.body?.cancel();
        credential = renewed;
        response = await send(credential);
      }
    }
    const bytes = inputs.method === 'HEAD' ? new Uint8Array(0) : new Uint8Array(await response.arrayBuffer());
    const text = textOf(bytes);
    const shown = text ?? `(${bytes.length} bytes that are not text)`;
    if (inputs.fail_on_status && response.status >= 400) {
      throw new BlockError(
        'HTTP_STATUS',
        `${inputs.method} ${safeUrl(url)} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}` +
          `${shown ? `: ${shown.slice(0, 300)}` : ''}. Set fail_on_status: false to handle such answers in the agent.`,
        { status: response.status, body: shown.slice(0, 2000), ...retryAfterOf(response.headers) },
      );
    }
    const json = text !== null && isJsonContentType(response.headers.get('content-type')) ? parseJsonOrNull(text) : null;
    yield ['status', response.status] as const;
    yield ['headers', headersRecord(response.headers)] as const;
    yield ['body', text] as const;
    yield ['body_base64', text === null ? Buffer.from(bytes).toString('base64') : null] as const;
    yield ['json', json] as const;
  },
});

/** Whether the answer came from where the credential was sent (not from another origin after a redirect). */
function answeredByCredentialHost(response: Response, requested: URL, credential: ResolvedCredential): boolean {
  let answered: URL;
  try {
    answered = new URL(response.url || requested.href);
  } catch {
    return false;
  }
  return answered.origin === requested.origin && (!credential.hosts || urlMatchesHosts(answered, credential.hosts));
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text when it is valid UTF-8 without U+0000 (what a value may hold), else null. */
export function textOf(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null;
  try {
    return UTF8.decode(bytes);
  } catch {
    return null;
  }
}

function authHeaders(credential: ResolvedCredential): Record<string, string> {
  if (credential.type === 'oauth2') return { authorization: `Bearer ${credentialField(credential, 'access_token', ID)}` };
  if (credential.type === 'api_key') return { authorization: `Bearer ${credentialField(credential, 'key', ID)}` };
  if (credential.type === 'user_password') {
    const user = credentialField(credential, 'username', ID);
    const password = credential.fields.password ?? '';
    return { authorization: `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}` };
  }
  return { [credentialField(credential, 'name', ID)]: credentialField(credential, 'value', ID) };
}

/** `Retry-After` in seconds when the answer gave one (a node's retry honours it up to max_delay). */
function retryAfterOf(headers: Headers): { retry_after?: string } {
  const value = headers.get('retry-after');
  return value ? { retry_after: value } : {};
}
