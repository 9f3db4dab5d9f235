// Which credential fields are secrets, and the one rule every secret obeys on the way in (the credentials
// API and config/credentials.yaml): no control characters (U+0000-U+001F, U+007F). A newline in a header
// value or a URL would split a request; messages name the field and the code point, never the value.

/** Secret fields per credential type (release-2.md section 1, "Secrets never leave"). */
export const SECRET_TEXT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  api_key: ['key'],
  oauth2: ['access_token', 'refresh_token'],
  user_password: ['password'],
  webhook_secret: ['secret'],
  secret_url: ['url'],
  header: ['value'],
  smtp: ['password'],
};

export function isSecretField(type: string, field: string): boolean {
  return SECRET_TEXT_FIELDS[type]?.includes(field) ?? false;
}

const CONTROL = /[\u0000-\u001f\u007f]/;

/** "U+000A" for the first control character of `value`, or null when there is none. */
export function controlCharacterIn(value: string): string | null {
  const match = CONTROL.exec(value);
  if (!match) return null;
  return `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}
