// Public keys for RS256/ES256 JWTs from a JWKS URL, cached. (jwks-rsa 4 needs the ESM-only `jose` through
// require(), which Jest cannot load on Node 20; Node's own crypto reads JWKs, so this stays small.)
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

const CACHE_MS = 10 * 60_000;
/** An unknown kid refetches the set at most this often, so tokens with made-up kids cannot hammer the server. */
const REFETCH_MIN_MS = 30_000;
const TIMEOUT_MS = 5_000;

interface Jwk {
  kid?: string;
  kty?: string;
  use?: string;
  alg?: string;
  [field: string]: unknown;
}

export class JwksError extends Error {}

export class JwksClient {
  private keys = new Map<string, KeyObject>();
  /** When the set was last fetched (or tried); null before the first fetch. */
  private fetchedAt: number | null = null;
  private inflight: Promise<void> | null = null;
  /** Why the last fetch failed, said again while there are no keys to serve. */
  private lastError: JwksError | null = null;

  constructor(
    private readonly url: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The PEM of the signing key with this kid (or the only key, when the token names none); null if none matches. */
  async keyFor(kid: string | undefined): Promise<string | null> {
    const age = this.fetchedAt === null ? Infinity : this.now() - this.fetchedAt;
    if (age >= CACHE_MS || (!this.find(kid) && age >= REFETCH_MIN_MS)) await this.refresh();
    const key = this.find(kid);
    if (!key && !this.keys.size && this.lastError) throw this.lastError;
    return key ? (key.export({ type: 'spki', format: 'pem' }) as string) : null;
  }

  private find(kid: string | undefined): KeyObject | undefined {
    if (kid !== undefined) return this.keys.get(kid);
    return this.keys.size === 1 ? [...this.keys.values()][0] : undefined;
  }

  private refresh(): Promise<void> {
    this.inflight ??= this.fetchKeys().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async fetchKeys(): Promise<void> {
    let body: unknown;
    try {
      const response = await fetch(this.url, { signal: AbortSignal.timeout(TIMEOUT_MS), headers: { accept: 'application/json' } });
      if (!response.ok) throw new JwksError(`HTTP ${response.status}`);
      body = await response.json();
    } catch (error) {
      return this.failed(error instanceof JwksError ? error : new JwksError((error as Error).message));
    }
    const list = (body as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(list)) return this.failed(new JwksError('the answer has no "keys" list'));
    const keys = new Map<string, KeyObject>();
    list.forEach((jwk: Jwk, index) => {
      if (!jwk || typeof jwk !== 'object' || jwk.use === 'enc' || (jwk.kty !== 'RSA' && jwk.kty !== 'EC')) return;
      try {
        keys.set(jwk.kid ?? `#${index}`, createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }));
      } catch {
        // A key Node cannot read is skipped; the others still work.
      }
    });
    this.keys = keys;
    this.fetchedAt = this.now();
    this.lastError = null;
  }

  /** Keeps serving the keys we have; throws only when there are none. Either way, no refetch for a while. */
  private failed(error: JwksError): void {
    this.fetchedAt = this.now();
    this.lastError = error;
    if (!this.keys.size) throw error;
  }
}
