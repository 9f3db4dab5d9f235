// SMTP connection settings from an `smtp` credential ({host, port, secure, username, password, from}) or
// from a URL (SMTP_URL, the system default: smtp://user:pass@host:587?from=bot@example.com, smtps:// for
// TLS from the start), and what nodemailer's error codes mean for a person.
import type { ResolvedCredential } from '../../block.types.js';
import { BlockError, BlockErrorCode } from '../../blocks.errors.js';

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  username?: string;
  password?: string;
  from?: string;
}

export const EmailErrorCode = {
  AUTH_FAILED: 'EMAIL_AUTH_FAILED',
  REJECTED: 'EMAIL_REJECTED',
  UNREACHABLE: 'EMAIL_UNREACHABLE',
  TLS_FAILED: 'EMAIL_TLS_FAILED',
  FAILED: 'EMAIL_FAILED',
} as const;

/** `smtp://user:pass@host:587?from=...` -> the credential's fields (what a system default SMTP_URL becomes). */
export function smtpFieldsFromUrl(text: string): Record<string, string> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BlockError(
      BlockErrorCode.CREDENTIAL_UNRESOLVED,
      'The SMTP URL is not a URL; write it like smtp://user:password@smtp.example.com:587 (smtps:// for TLS on 465).',
    );
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new BlockError(BlockErrorCode.CREDENTIAL_UNRESOLVED, `The SMTP URL must start with smtp:// or smtps://, not ${url.protocol}//.`);
  }
  const secure = url.protocol === 'smtps:';
  const fields: Record<string, string> = { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || (secure ? '465' : '587'), secure: String(secure) };
  if (url.username) fields.username = decodeURIComponent(url.username);
  if (url.password) fields.password = decodeURIComponent(url.password);
  const from = url.searchParams.get('from');
  if (from) fields.from = from;
  return fields;
}

export function smtpSettings(credential: ResolvedCredential, blockId: string): SmtpSettings {
  const fields = credential.fields.url ? { ...smtpFieldsFromUrl(credential.fields.url), ...withoutUrl(credential.fields) } : credential.fields;
  const host = fields.host?.trim();
  if (!host) {
    throw new BlockError(
      BlockErrorCode.CREDENTIAL_UNRESOLVED,
      `The SMTP credential "${credential.name}" has no host. Store it again with host (and port, username, password).`,
      {
        block: blockId,
        credential: credential.name,
      },
    );
  }
  const secure = fields.secure === 'true' || fields.secure === '1';
  const port = fields.port ? Number(fields.port) : secure ? 465 : 587;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new BlockError(
      BlockErrorCode.CREDENTIAL_UNRESOLVED,
      `The SMTP credential "${credential.name}" has port "${fields.port}", which is not a port number (1-65535).`,
      {
        block: blockId,
        credential: credential.name,
      },
    );
  }
  return {
    host,
    port,
    secure,
    ...(fields.username ? { username: fields.username } : {}),
    ...(fields.password !== undefined ? { password: fields.password } : {}),
    ...(fields.from ? { from: fields.from } : {}),
  };
}

function withoutUrl(fields: Record<string, string>): Record<string, string> {
  const { url: _url, ...rest } = fields;
  return rest;
}

/** Nodemailer's error (code, SMTP response) as a clear block error; the run's abort stays an abort. */
export function translateSmtpError(error: unknown, where: { host: string; port: number; credentialName: string }, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason ?? error;
  const { code, response, message } = error as { code?: string; response?: string; message?: string };
  const said = (response ?? message ?? '').trim().slice(0, 300);
  const server = `${where.host}:${where.port}`;
  const details = { host: where.host, port: where.port, ...(code ? { smtp_code: code } : {}), ...(response ? { response: said } : {}) };
  switch (code) {
    case 'EAUTH':
      return new BlockError(
        EmailErrorCode.AUTH_FAILED,
        `The SMTP server ${server} refused the username and password of "${where.credentialName}" (${said}). Check them, and whether the server wants an app password.`,
        details,
      );
    case 'EENVELOPE':
    case 'EMESSAGE':
      return new BlockError(
        EmailErrorCode.REJECTED,
        `The SMTP server ${server} refused the message (${said}). Check the from and recipient addresses.`,
        details,
      );
    case 'ETLS':
      return new BlockError(
        EmailErrorCode.TLS_FAILED,
        `TLS with the SMTP server ${server} failed (${said}). Check secure (true for port 465) and the server's certificate.`,
        details,
      );
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'ETIMEDOUT':
    case 'EDNS':
      return new BlockError(
        EmailErrorCode.UNREACHABLE,
        `Could not talk to the SMTP server ${server} (${said}). Check the host and port of "${where.credentialName}" and that the server is up.`,
        details,
      );
    default:
      return new BlockError(EmailErrorCode.FAILED, `Sending the email through ${server} failed (${said || 'no reason given'}).`, details);
  }
}
