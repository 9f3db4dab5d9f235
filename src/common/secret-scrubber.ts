// Replaces the secrets resolved for an attempt by `[secret:<credential name>]` wherever text leaves it
// (release-2.md section 1, "Secrets never leave"). Pure: no Nest, no I/O. Every secret field of 8 or more
// characters is matched raw, base64 (padded, unpadded, url-safe), URL-encoded, JSON-escaped, as
// `Bearer <value>`, and a user_password credential also as `Basic base64(username:password)`. All forms of
// all secrets go into ONE regular expression, so a value is scanned once however many secrets there are.

/** A resolved credential as the scrubber sees it (structurally a blocks ResolvedCredential). */
export interface SecretHolder {
  name: string;
  type: string;
  fields: Readonly<Record<string, string>>;
}

/** Shorter secrets are left alone: they would match ordinary text. */
export const MIN_SECRET_LENGTH = 8;

/** Fields that are secret whatever the type; `url` and `value` only for the types named. */
const SECRET_FIELDS = new Set(['key', 'access_token', 'refresh_token', 'password', 'secret']);
const SECRET_FIELDS_OF_TYPE: Readonly<Record<string, string>> = { secret_url: 'url', header: 'value' };

/** The secret field values of a credential (every field the spec calls secret). */
export function secretValuesOf(holder: SecretHolder): string[] {
  const values: string[] = [];
  for (const [field, value] of Object.entries(holder.fields)) {
    if (typeof value !== 'string') continue;
    if (SECRET_FIELDS.has(field) || SECRET_FIELDS_OF_TYPE[holder.type] === field) values.push(value);
  }
  return values;
}

/** Every way a secret value is commonly written out, the value itself first. */
export function encodedForms(value: string): string[] {
  const base64 = Buffer.from(value, 'utf8').toString('base64');
  const forms = [
    value,
    `Bearer ${value}`,
    base64,
    base64.replace(/=+$/, ''),
    Buffer.from(value, 'utf8').toString('base64url'),
    encodeURIComponent(value),
    JSON.stringify(value).slice(1, -1),
  ];
  try {
    forms.push(new URL(value).href); // a URL secret as a URL parser prints it back
  } catch {
    // not a URL
  }
  return forms;
}

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/-]/g;

export class SecretScrubber {
  /** A scrubber that changes nothing (no secret long enough). */
  static readonly NONE = new SecretScrubber(new Map());

  /** A scrubber for the secrets of these credentials. */
  static of(holders: Iterable<SecretHolder>): SecretScrubber {
    const names = new Map<string, string>();
    const add = (form: string, name: string) => {
      if (form.length >= MIN_SECRET_LENGTH && !names.has(form)) names.set(form, name);
    };
    for (const holder of holders) {
      for (const value of secretValuesOf(holder)) {
        if (value.length < MIN_SECRET_LENGTH) continue;
        for (const form of encodedForms(value)) add(form, holder.name);
      }
      const { username, password } = holder.fields;
      if (holder.type === 'user_password' && typeof password === 'string' && password.length >= MIN_SECRET_LENGTH) {
        const basic = Buffer.from(`${username ?? ''}:${password}`, 'utf8').toString('base64');
        for (const form of [`Basic ${basic}`, basic, basic.replace(/=+$/, ''), encodeURIComponent(basic)]) add(form, holder.name);
      }
    }
    return names.size === 0 ? SecretScrubber.NONE : new SecretScrubber(names);
  }

  private readonly matcher: RegExp | null;
  /** Length of the shortest form: shorter text cannot hold one. */
  private readonly shortest: number;

  private constructor(private readonly names: ReadonlyMap<string, string>) {
    // Longest first: where one form contains another (`Bearer x` and `x`), the whole form is replaced.
    const forms = [...names.keys()].sort((a, b) => b.length - a.length);
    this.shortest = forms.length ? forms[forms.length - 1]!.length : Infinity;
    this.matcher = forms.length ? new RegExp(forms.map((form) => form.replace(REGEX_SPECIAL, '\\$&')).join('|'), 'g') : null;
  }

  get empty(): boolean {
    return this.matcher === null;
  }

  /** `text` with every secret replaced (the same string when none occurs). */
  text(text: string): string {
    if (!this.matcher || text.length < this.shortest) return text;
    return text.replace(this.matcher, (found) => `[secret:${this.names.get(found) ?? 'unknown'}]`);
  }

  /** A JSON value with every string (and object key) scrubbed; unchanged parts are shared, not copied. */
  value<T>(value: T): T {
    if (!this.matcher) return value;
    if (typeof value === 'string') return this.text(value) as T;
    if (typeof value !== 'object' || value === null) return value;
    // One scan of the serialised value decides the common case (no secret at all) without a walk. Sound:
    // a string holding a form holds it in JSON too, or its JSON-escaped form, which is a form as well.
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      json = undefined; // a cycle or a BigInt: walk it
    }
    if (json !== undefined && !this.occursIn(json)) return value;
    return this.walk(value) as T;
  }

  private occursIn(text: string): boolean {
    const matcher = this.matcher!;
    matcher.lastIndex = 0;
    const found = matcher.test(text);
    matcher.lastIndex = 0;
    return found;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) {
      let copy: unknown[] | null = null;
      for (let i = 0; i < value.length; i++) {
        const item = this.walk(value[i]);
        if (item !== value[i]) (copy ??= value.slice())[i] = item;
      }
      return copy ?? value;
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return value; // JSON values only (Dates, Buffers pass)
    let copy: Record<string, unknown> | null = null;
    const entries = Object.entries(value as Record<string, unknown>);
    for (const [key, item] of entries) {
      const cleanKey = this.text(key);
      const cleanItem = this.walk(item);
      if (cleanKey === key && cleanItem === item && copy === null) continue;
      if (copy === null) {
        copy = {};
        for (const [k, v] of entries) {
          if (k === key) break;
          put(copy, k, v);
        }
      }
      put(copy, cleanKey, cleanItem);
    }
    return copy ?? value;
  }
}

/** Sets an own property, even one named `__proto__` (JSON may carry that key). */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
