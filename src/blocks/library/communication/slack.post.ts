// `slack.post`: a message to a Slack incoming webhook (the `webhook` credential, a secret URL).
import { BlockError, invalidPin } from '../../blocks.errors.js';
import { credentialField, requireCredential } from '../../outbound/credentials.js';
import { anyValue, defineBlock, optional, Type } from '../../pins.js';
import { blockErrors, OUTBOUND_ERRORS } from '../../block-errors.catalog.js';

const ID = 'slack.post';

/** Slack's error texts, and what to do about each. */
const SLACK_HINTS: Record<string, string> = {
  invalid_payload: 'the text or blocks are not a valid Slack message',
  no_text: 'give text (Slack shows it in notifications even when blocks are given)',
  invalid_blocks: "the blocks are not valid Block Kit; check them in Slack's Block Kit Builder",
  invalid_blocks_format: 'blocks must be a list of Block Kit blocks',
  too_many_attachments: 'send fewer attachments',
  no_service: 'the webhook URL is wrong or was removed; create a new incoming webhook and store its URL in the credential',
  no_service_id: 'the webhook URL is incomplete; store the whole URL Slack gave',
  no_team: 'the Slack workspace of this webhook is gone or suspended',
  team_disabled: 'the Slack workspace of this webhook is disabled',
  invalid_token: 'the webhook URL is not valid any more; create a new incoming webhook',
  channel_not_found: "the webhook's channel was deleted; create a webhook for another channel",
  channel_is_archived: "the webhook's channel is archived; unarchive it or use another webhook",
  action_prohibited: 'a Slack admin restricted posting to this channel',
  posting_to_general_channel_denied: 'only admins may post to this channel',
};

export const slackPostBlock = defineBlock({
  id: ID,
  description:
    'Posts a message to Slack through an incoming webhook (the `webhook` credential holds its secret URL) and yields ok. ' +
    'Give text, Block Kit blocks, or both. Side effects: a retried or re-run attempt posts the message again.',
  category: 'communication',
  inputs: {
    text: optional(Type.String({ description: 'The message text (Slack mrkdwn); also the notification text when blocks are given.' })),
    blocks: optional(Type.Array(anyValue(), { description: 'Block Kit blocks, e.g. [{type: section, text: {type: mrkdwn, text: "*Hi*"}}].' })),
  },
  outputs: {
    ok: Type.Boolean({ description: 'true once Slack accepted the message.' }),
  },
  credentials: {
    webhook: { provider: 'slack', types: ['secret_url'], description: 'The incoming webhook URL (https://hooks.slack.com/services/...), kept secret.' },
  },
  cost: 1,
  sideEffects: true,
  errors: blockErrors('CREDENTIAL_UNRESOLVED', 'SLACK_RATE_LIMITED', 'SLACK_REJECTED', ...OUTBOUND_ERRORS),
  async *run(inputs, context) {
    if (inputs.text === undefined && inputs.blocks === undefined) throw invalidPin(ID, 'text', 'give text, blocks, or both');
    const credential = requireCredential(context, { blockId: ID, field: 'webhook', types: ['secret_url'] });
    const url = credentialField(credential, 'url', ID);
    if (!/^https?:\/\/[^/]/.test(url)) {
      throw new BlockError(
        'CREDENTIAL_UNRESOLVED',
        `The credential "${credential.name}" does not hold a webhook URL (it should start with https://hooks.slack.com/).`,
        { credential: credential.name },
      );
    }
    const response = await context.http.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ ...(inputs.text !== undefined ? { text: inputs.text } : {}), ...(inputs.blocks !== undefined ? { blocks: inputs.blocks } : {}) }),
      timeoutMs: 30_000,
      maxResponseBytes: 64 * 1024,
      // The URL is the secret: the credential's hosts (its own host, or the operator's list) still apply.
      credential: { credential, headers: {} },
    });
    const answer = (await response.text()).trim();
    if (response.ok) {
      yield ['ok', true] as const;
      return;
    }
    const retryAfter = response.headers.get('retry-after');
    const hint =
      response.status === 429
        ? `Slack rate-limited the webhook${retryAfter ? `; wait ${retryAfter} s` : ''}`
        : (SLACK_HINTS[answer] ?? "see Slack's incoming webhook errors");
    // The URL is a secret: messages name the credential, never the URL.
    throw new BlockError(
      response.status === 429 ? 'SLACK_RATE_LIMITED' : 'SLACK_REJECTED',
      `Slack refused the message (${response.status} ${answer.slice(0, 100) || response.statusText}): ${hint}. Webhook credential: "${credential.name}".`,
      { status: response.status, slack_error: answer.slice(0, 100), credential: credential.name, ...(retryAfter ? { retry_after: retryAfter } : {}) },
    );
  },
});
