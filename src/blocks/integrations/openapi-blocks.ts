// One block per operation of an OpenAPI integration: input pins from its parameters and the JSON body's
// top-level properties, outputs status, headers, json and body. The request goes through the outbound
// client (base_url's host exempt from the private-address rule only when the file says allow_private);
// the credential is attached only to base_url's host (or the credential's own hosts), never after a
// redirect to another origin, exactly like http.request.
import { hostEntryOf, urlMatchesHosts } from '../../common/credential-hosts.js';
import type { IntegrationFile, IntegrationOperation } from '../openapi/integration.types.js';
import type { BlockContext, BlockDefinition, BlockHttpClient, CredentialType, ResolvedCredential } from '../block.types.js';
import { BlockError } from '../blocks.errors.js';
import { textOf } from '../library/http/http.request.js';
import { credentialHostRefused } from '../outbound/outbound.errors.js';
import { operatorUrlClient } from '../outbound/credential-attach.js';
import { headersRecord, isJsonContentType, parseJsonOrNull, safeUrl } from '../outbound/response.js';
import { blockErrors, OUTBOUND_ERRORS } from '../block-errors.catalog.js';

const OUTPUTS = {
  type: 'object',
  properties: {
    status: { type: 'integer', description: 'The HTTP status code.' },
    headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'Response headers, lower-case name -> value.' },
    json: { description: 'The body parsed, when the answer is JSON; else null.' },
    body: { type: ['string', 'null'], description: 'The response body as text; null when it is not text.' },
  },
};

export function operationBlock(integration: IntegrationFile, operation: IntegrationOperation): BlockDefinition {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const pin of operation.pins) {
    properties[pin.pin] = { ...pin.schema, ...(pin.description && !pin.schema.description ? { description: pin.description } : {}) };
    if (pin.required) required.push(pin.pin);
  }
  const credential = integration.credential;
  return {
    id: operation.blockId,
    description: `${operation.summary} (${operation.method} ${operation.path}, integration ${integration.name}).${operation.method === 'GET' || operation.method === 'HEAD' ? '' : ' Side effects: a retried attempt sends the request again.'}`,
    category: 'http',
    inputSchema: { type: 'object', properties, required, additionalProperties: false },
    outputSchema: OUTPUTS,
    ...(credential
      ? {
          credentials: {
            auth: {
              provider: integration.name,
              types: [credential.type as CredentialType],
              optional: operation.public,
              description: `The ${integration.name} credential (${credential.type}), sent ${credential.in === 'bearer' ? 'as Authorization: Bearer' : credential.in === 'basic' ? 'as Basic' : `in the ${credential.in} ${credential.name}`}.`,
            },
          },
        }
      : {}),
    allow: integration.allow,
    // config/costs.yaml: integrations.<name> for every operation (default 1); blocks.<id> overrides one operation.
    cost: (_inputs, costs) => costs.integrations[integration.name] ?? 1,
    sideEffects: operation.method !== 'GET' && operation.method !== 'HEAD',
    errors: blockErrors('HTTP_STATUS', 'CREDENTIAL_UNRESOLVED', ...OUTBOUND_ERRORS),
    run: (inputs, context) => runOperation(integration, operation, inputs, context),
  };
}

async function* runOperation(integration: IntegrationFile, operation: IntegrationOperation, inputs: Record<string, unknown>, context: BlockContext) {
  let path = operation.path;
  const url = new URL(integration.base_url);
  const headers = new Headers({ accept: 'application/json' });
  let body: unknown = undefined;
  for (const pin of operation.pins) {
    const value = inputs[pin.pin];
    if (value === undefined) continue;
    if (pin.location === 'path') path = path.replaceAll(`{${pin.name}}`, encodeURIComponent(String(value)));
    else if (pin.location === 'query')
      for (const item of Array.isArray(value) ? value : [value])
        url.searchParams.append(pin.name, typeof item === 'object' ? JSON.stringify(item) : String(item));
    else if (pin.location === 'header') headers.set(pin.name, String(value));
    else if (operation.wholeBody) body = value;
    else body = { ...(body as object | undefined), [pin.name]: value };
  }
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  if (body !== undefined) headers.set('content-type', 'application/json');
  const found = context.credentials.auth;
  const attachment = found ? credentialAttachment(integration, found, url) : undefined;
  const client: BlockHttpClient = integration.allow_private && sameOrigin(url, integration.base_url) ? operatorUrlClient(context.signal) : context.http;
  const response = await client.fetch(url, {
    method: operation.method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    timeoutMs: 30_000,
    maxResponseBytes: context.settings.maxResponseBytes,
    ...(attachment ? { credential: attachment } : {}),
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = textOf(bytes);
  if (response.status >= 400) {
    throw new BlockError('HTTP_STATUS', `${operation.method} ${safeUrl(url)} answered ${response.status}${text ? `: ${text.slice(0, 300)}` : ''}`, {
      status: response.status,
      body: (text ?? '').slice(0, 2000),
    });
  }
  yield ['status', response.status] as const;
  yield ['headers', headersRecord(response.headers)] as const;
  yield ['json', text !== null && isJsonContentType(response.headers.get('content-type')) ? parseJsonOrNull(text) : null] as const;
  yield ['body', text] as const;
}

function sameOrigin(url: URL, base: string): boolean {
  return url.origin === new URL(base).origin;
}

/**
 * The credential's headers for this request (query credentials are set on the URL here, after the same
 * host check). Without hosts of its own, a credential goes only to base_url's host.
 */
function credentialAttachment(integration: IntegrationFile, credential: ResolvedCredential, url: URL) {
  const hosts = credential.hosts ?? [hostEntryOf(integration.base_url)!];
  const bound: ResolvedCredential = { name: credential.name, provider: credential.provider, type: credential.type, fields: credential.fields, hosts };
  const secret = credential.type === 'oauth2' ? credential.fields.access_token : credential.fields.key;
  const spec = integration.credential!;
  if (spec.in === 'query') {
    if (!urlMatchesHosts(url, hosts)) throw credentialHostRefused(credential.name, url, hosts);
    url.searchParams.set(spec.name!, secret ?? '');
    return undefined;
  }
  if (spec.in === 'basic') {
    const basic = Buffer.from(`${credential.fields.username ?? ''}:${credential.fields.password ?? ''}`, 'utf8').toString('base64');
    return { credential: bound, headers: { authorization: `Basic ${basic}` } };
  }
  if (spec.in === 'header') return { credential: bound, headers: { [spec.name!]: secret ?? '' } };
  return { credential: bound, headers: { authorization: `Bearer ${secret ?? ''}` } };
}
