// The errors of authentication and authorisation, each telling the caller what to do next.
import { AppError } from '../common/errors.js';

const HOW_TO_AUTHENTICATE = 'Send an API key as "X-API-Key: trl_..." or "Authorization: Bearer trl_...", or a JWT as "Authorization: Bearer <token>".';

export function unauthenticated(reason?: string, details: Record<string, unknown> = {}): AppError {
  const message = reason ? `${reason} ${HOW_TO_AUTHENTICATE}` : `Authentication is required. ${HOW_TO_AUTHENTICATE}`;
  return new AppError('UNAUTHENTICATED', message, details);
}

export function unknownApiKey(prefix: string): AppError {
  return unauthenticated(
    `The API key ${prefix}... is not known to this server. Check that you copied all of it; a lost key cannot be shown again, so create a new one (POST /api/user/api-keys or "trellis keys create").`,
    { key_prefix: prefix },
  );
}

export function malformedApiKey(): AppError {
  return unauthenticated('The API key is malformed: keys look like "trl_" followed by at least 43 letters, digits, "-" or "_".');
}

export function revokedApiKey(prefix: string, revokedAt: Date): AppError {
  return unauthenticated(
    `The API key ${prefix}... was revoked at ${revokedAt.toISOString()} and no longer works. Create a new key (POST /api/user/api-keys or "trellis keys create").`,
    { key_prefix: prefix, revoked_at: revokedAt.toISOString() },
  );
}

export function expiredApiKey(prefix: string, expiredAt: Date): AppError {
  return unauthenticated(
    `The API key ${prefix}... expired at ${expiredAt.toISOString()}. Create a new key (POST /api/user/api-keys or "trellis keys create").`,
    { key_prefix: prefix, expired_at: expiredAt.toISOString() },
  );
}

export function invalidToken(reason: string): AppError {
  return unauthenticated(`The bearer token was refused: ${reason}.`);
}

export function missingScopes(missing: string[], role: string, viaKey: boolean): AppError {
  const list = missing.join(', ');
  const plural = missing.length === 1 ? 'scope' : 'scopes';
  let advice: string;
  if (missing.includes('admin') && role !== 'admin') advice = 'Only admins may do this; ask an admin.';
  else if (viaKey)
    advice = `Your API key does not carry it: create a key with ${missing.length === 1 ? 'this scope' : 'these scopes'} (POST /api/user/api-keys).`;
  else advice = 'Your role does not allow it; ask an admin.';
  return new AppError('FORBIDDEN', `This request needs the ${plural} ${list}. ${advice}`, { missing_scopes: missing });
}

export function scopesNotGrantable(scopes: string[]): AppError {
  return new AppError(
    'FORBIDDEN',
    `You cannot give a key the ${scopes.length === 1 ? 'scope' : 'scopes'} ${scopes.join(', ')}: a key may carry only scopes your own credentials have. Leave ${scopes.length === 1 ? 'it' : 'them'} out, or ask an admin.`,
    { missing_scopes: scopes },
  );
}

/** A key asked for without a scope list (it would get the role's scopes) by credentials that lack some of them. */
export function roleScopesNotGrantable(scopes: string[]): AppError {
  return new AppError(
    'FORBIDDEN',
    `A key made without "scopes" gets every scope your role allows, but your credentials lack ${scopes.join(', ')} and a key may carry only scopes your own credentials have: list the scopes you want (a subset of your key's) in "scopes".`,
    { missing_scopes: scopes },
  );
}

export function rateLimited(retryAfterMs: number, what: 'key' | 'address'): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const subject = what === 'key' ? 'these credentials' : 'your address (requests without credentials)';
  return new AppError(
    'RATE_LIMITED',
    `Too many requests for ${subject}. Retry after ${seconds} second${seconds === 1 ? '' : 's'}, or ask an admin to raise auth.rate_limit.${what === 'key' ? 'per_key' : 'per_ip'}.`,
    { retry_after_seconds: seconds },
    429,
    { 'Retry-After': String(seconds) },
  );
}

export function apiKeyNotFound(id: string): AppError {
  return new AppError('NOT_FOUND', `You have no API key "${id}". List your keys with GET /api/user/api-keys.`, { api_key: id });
}
