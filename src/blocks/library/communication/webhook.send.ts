// `webhook.send`: POSTs a JSON payload to a URL, signed like Trellis's own webhooks when a secret is
// mapped, so another Trellis (or any receiver that checks the signature) can trust it.
import { randomUUID } from 'node:crypto';
import { BlockError, invalidPin } from '../../blocks.errors.js';
import { credentialField, findCredential } from '../../outbound/credentials.js';
import { anyValue, defineBlock, Type } from '../../pins.js';
import { safeUrl } from '../../outbound/response.js';
import { webhookSignatureHeaders } from './webhook-signature.js';
import { blockErrors, OUTBOUND_ERRORS } from '../../block-errors.catalog.js';

const ID = 'webhook.send';

export const webhookSendBlock = defineBlock({
  id: ID,
  description:
    "POSTs `payload` as JSON to `url` and yields the answer's status and body; a 4xx or 5xx answer fails the node. With a `secret` credential the body is signed " +
    'like Trellis webhooks (X-Trellis-Timestamp, X-Trellis-Signature-256). Every attempt of one node execution sends the same Idempotency-Key, ' +
    'so a receiver that honours it (Trellis does) ignores repeats; to others a retried or re-run attempt delivers again.',
  category: 'communication',
  inputs: {
    url: Type.String({ minLength: 1, description: 'Where to POST, a full http(s) URL. Private addresses are refused unless http.allow_private_addresses.' }),
    payload: anyValue({ description: 'Any JSON value, sent as the body.' }),
  },
  outputs: {
    status: Type.Integer({ description: "The answer's HTTP status." }),
    body: Type.String({ description: "The answer's body as text." }),
  },
  credentials: {
    secret: { provider: 'webhook', types: ['webhook_secret'], optional: true, description: 'The shared secret that signs the body (HMAC-SHA256).' },
  },
  cost: 1,
  sideEffects: true,
  errors: blockErrors('CREDENTIAL_UNRESOLVED', 'WEBHOOK_STATUS', ...OUTBOUND_ERRORS),
  async *run(inputs, context) {
    let url: URL;
    try {
      url = new URL(inputs.url);
    } catch {
      throw invalidPin(ID, 'url', `"${inputs.url}" is not a full URL; write it like https://example.com/hooks/trellis`);
    }
    const body = JSON.stringify(inputs.payload);
    const credential = findCredential(context, { blockId: ID, field: 'secret', types: ['webhook_secret'] });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'idempotency-key': context.nodeExecutionId || randomUUID(),
    };
    // The signature is made from the credential: it goes only to the secret's hosts (credential-attach.ts).
    const signed = credential ? { credential: { credential, headers: webhookSignatureHeaders(credentialField(credential, 'secret', ID), body) } } : {};
    const response = await context.http.fetch(url, { method: 'POST', headers, body, timeoutMs: 30_000, ...signed });
    const text = await response.text();
    if (response.status >= 400) {
      throw new BlockError(
        'WEBHOOK_STATUS',
        `The webhook at ${safeUrl(url)} answered ${response.status}${text ? `: ${text.slice(0, 300)}` : ''}. ` +
          (response.status === 401 || response.status === 403 ? 'Check that both sides share the same secret.' : 'Check the receiver.'),
        { status: response.status, body: text.slice(0, 2000) },
      );
    }
    yield ['status', response.status] as const;
    yield ['body', text] as const;
  },
});
