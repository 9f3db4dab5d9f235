// The outbound side of each channel, given resolved settings: an email through SMTP (nodemailer), a Slack
// incoming-webhook message, a JSON POST signed like Trellis webhooks. Each throws DeliveryError with a
// message a person can act on (never a secret: URLs are shown without path or query). HTTP goes through
// the outbound client of blocks (blocks/outbound), so its private-address policy applies.
import type { BlockHttpClient } from '../blocks/block.types.js';
import { OutboundErrorCode } from '../blocks/outbound/outbound.errors.js';
import { AppError } from '../common/errors.js';
import { webhookSignatureHeaders } from '../blocks/library/communication/webhook-signature.js';
import type { SmtpSettings } from '../blocks/library/communication/smtp-settings.js';
import { DeliveryError } from './notifications.errors.js';

const HTTP_TIMEOUT_MS = 15_000;
const DEFAULT_FROM = 'Trellis <notifications@trellis.invalid>';

export interface Notice {
  kind: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
}

export async function sendEmail(smtp: SmtpSettings, to: string[], notice: Notice, smtpName: string): Promise<void> {
  // nodemailer (~650 KB of source) loads on the first email, not with every server that might send one.
  const { createTransport } = await import('nodemailer');
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.username ? { auth: { user: smtp.username, pass: smtp.password ?? '' } } : {}),
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  });
  try {
    await transport.sendMail({ from: smtp.from ?? DEFAULT_FROM, to, subject: notice.title, text: notice.body });
  } catch (error) {
    const { code, response, message } = error as { code?: string; response?: string; message?: string };
    const said = (response ?? message ?? 'no reason given').trim().slice(0, 300);
    const auth = code === 'EAUTH';
    throw new DeliveryError(
      `The SMTP server ${smtp.host}:${smtp.port} (credential "${smtpName}") did not take the email${code ? ` (${code})` : ''}: ${said}.` +
        (auth ? ' Check the username and password of that credential.' : ' Check the server, the from address and the recipients.'),
      !auth,
    );
  } finally {
    transport.close();
  }
}

export async function postSlack(http: BlockHttpClient, url: string, notice: Notice, where: string): Promise<void> {
  const body = JSON.stringify({ text: `*${notice.title}*\n${notice.body}` });
  await post(http, url, { 'content-type': 'application/json' }, body, `the Slack webhook of ${where}`);
}

/** The JSON body of a webhook channel, signed with X-Trellis-Timestamp / X-Trellis-Signature-256 when a secret is set. */
export async function postWebhook(
  http: BlockHttpClient,
  url: string,
  secret: string | null,
  payload: Record<string, unknown>,
  deliveryId: string,
  where: string,
): Promise<void> {
  const body = JSON.stringify(payload);
  const headers = { 'content-type': 'application/json', 'idempotency-key': deliveryId, ...(secret ? webhookSignatureHeaders(secret, body) : {}) };
  await post(http, url, headers, body, `the webhook of ${where}`);
}

/** Outbound refusals that a retry cannot change (the address or the URL itself). */
const PERMANENT_OUTBOUND: ReadonlySet<string> = new Set([OutboundErrorCode.ADDRESS_REFUSED, OutboundErrorCode.BAD_URL]);

async function post(http: BlockHttpClient, url: string, headers: Record<string, string>, body: string, what: string): Promise<void> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new DeliveryError(`The URL of ${what} is not a full http(s) URL; store it again like https://hooks.example.com/...`, false);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new DeliveryError(`The URL of ${what} must start with http:// or https://.`, false);
  const shown = `${target.protocol}//${target.host}`;
  let response: Response;
  try {
    response = await http.fetch(target, { method: 'POST', headers, body, timeoutMs: HTTP_TIMEOUT_MS, redirect: 'manual' });
  } catch (error) {
    if (error instanceof AppError && PERMANENT_OUTBOUND.has(error.code)) throw new DeliveryError(`Could not deliver to ${what}: ${error.message}`, false);
    if (error instanceof AppError) throw new DeliveryError(`Could not deliver to ${what}: ${error.message}`);
    throw new DeliveryError(
      `Could not reach ${what} at ${shown}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}.`,
    );
  }
  const text = await response.text().catch(() => '');
  if (response.status >= 300) {
    throw new DeliveryError(
      `${what} at ${shown} answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}.`,
      response.status >= 500 || response.status === 429 || response.status === 408,
    );
  }
}
