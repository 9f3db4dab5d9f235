// `trigger.webhook`: starts an execution on a request to /webhooks/{agent}/{node}. The triggers module
// seeds the node with the request; running the block directly passes a given `event` through, so that
// `trellis test`, replays and POST /api/blocks/trigger.webhook/execute see what a real request yields.
import { storableHeaders } from '../../../common/stored-headers.js';
import { invalidPin } from '../../blocks.errors.js';
import { anyValue, defineBlock, dict, optional, Type, withDefault } from '../../pins.js';

export const WEBHOOK_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export const webhookTriggerBlock = defineBlock({
  id: 'trigger.webhook',
  description:
    'Starts an execution on each request to /webhooks/{agent}/{node}. With a `secret` credential, requests must be signed (X-Trellis-Timestamp and X-Trellis-Signature-256). Yields the body (JSON, or the text), the headers, the query and the method.',
  category: 'trigger',
  trigger: true,
  inputs: {
    methods: withDefault(Type.Array(Type.Enum([...WEBHOOK_METHODS]), { minItems: 1, uniqueItems: true, description: 'HTTP methods the webhook accepts.' }), [
      'POST',
    ]),
    respond: withDefault(
      Type.Enum(['at_accept', 'by_output'], {
        description:
          'at_accept answers 202 {execution_id} at once; by_output holds the request until the first value reaches the http_response output and answers with it while the execution goes on (if the execution ends first, or webhooks.max_wait passes, it answers as ?wait= does).',
      }),
      'at_accept',
    ),
    event: optional(
      Type.Object(
        {
          body: optional(anyValue()),
          headers: optional(dict(Type.String())),
          query: optional(dict(anyValue())),
          method: optional(Type.String()),
        },
        {
          additionalProperties: false,
          description: 'A request to pass through when the block is run directly (tests and replays); the server sets it from the real request.',
        },
      ),
    ),
  },
  outputs: {
    body: anyValue({ description: 'The JSON body, or the body as text when it is not JSON; null when empty.' }),
    headers: dict(Type.String(), { description: 'Request headers, names in lower case.' }),
    query: dict(anyValue(), { description: 'Query string parameters (a list when a name repeats).' }),
    method: Type.String({ description: 'The request method.' }),
  },
  credentials: {
    secret: {
      provider: 'webhook',
      types: ['webhook_secret'],
      optional: true,
      description: 'When set, every request must carry a valid HMAC-SHA256 signature.',
    },
  },
  cost: 0,
  async *run(inputs) {
    const event = inputs.event ?? {};
    const method = (event.method ?? inputs.methods[0]!).toUpperCase();
    if (!(inputs.methods as string[]).includes(method)) {
      throw invalidPin('trigger.webhook', 'event', `the method ${method} is not one this webhook accepts (${inputs.methods.join(', ')})`);
    }
    // Credentials and signatures are never yielded, whoever passes the event in.
    const headers = storableHeaders(event.headers ?? {});
    yield ['body', event.body ?? null] as const;
    yield ['headers', headers] as const;
    yield ['query', event.query ?? {}] as const;
    yield ['method', method] as const;
  },
});
