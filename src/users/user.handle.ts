// Handles: the short names agents use for owners (`owner: ops`). Lowercase, unique, stable.

export const HANDLE_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
export const HANDLE_RULE = 'a handle is 1 to 63 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit';

export function isValidHandle(value: unknown): value is string {
  return typeof value === 'string' && HANDLE_PATTERN.test(value);
}

/** Turns any text (a username, an email, a JWT sub) into a valid handle, or null when nothing is left. */
export function slugifyHandle(text: string): string | null {
  const slug = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+/, '')
    .replace(/[-]{2,}/g, '-')
    .slice(0, 63)
    .replace(/[._-]+$/, '');
  return slug && HANDLE_PATTERN.test(slug) ? slug : null;
}

/** The handle a provisioned JWT user gets: preferred_username, else the email's local part, else the sub. */
export function handleFromClaims(claims: Record<string, unknown>, sub: string): string {
  const candidates = [claims.preferred_username, claims.nickname, typeof claims.email === 'string' ? claims.email.split('@')[0] : undefined, sub];
  for (const candidate of candidates) {
    if (typeof candidate !== 'string') continue;
    const slug = slugifyHandle(candidate);
    if (slug) return slug;
  }
  return 'user';
}

/** `base`, then `base-2`, `base-3`, ...: the candidates tried when a handle is taken. */
export function handleCandidates(base: string, count: number): string[] {
  const out = [base];
  for (let n = 2; out.length < count; n++) {
    const suffix = `-${n}`;
    out.push(base.slice(0, 63 - suffix.length) + suffix);
  }
  return out;
}
