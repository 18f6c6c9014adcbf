import { createHash } from 'node:crypto';

/** A response remembered for an Idempotency-Key. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

/** What to do with a request carrying an Idempotency-Key. */
export type IdempotencyDecision =
  | { kind: 'proceed' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'in-flight' }
  | { kind: 'mismatch' };

interface Entry {
  fingerprint: string;
  expiresAt: number;
  response: StoredResponse | undefined;
  finished: boolean;
}

/**
 * Idempotency-Key handling after the IETF httpapi draft: the first request
 * with a key is processed and its response kept for `ttlMs`; a repeat with
 * the same payload gets that response again, a repeat with another payload
 * is refused (422), and a repeat while the first is still being answered is
 * refused (409). The key stays "in flight" until the first response has been
 * sent or the client hung up, because that is when the client could retry.
 */
export class IdempotencyKeys {
  readonly #ttlMs: number;
  readonly #entries = new Map<string, Entry>();

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  /** Decides on a request; on `proceed` the key is now reserved for it. */
  begin(key: string, fingerprint: string, now: number = Date.now()): IdempotencyDecision {
    this.#evictExpired(now);
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      if (entry.fingerprint !== fingerprint) return { kind: 'mismatch' };
      if (!entry.finished) return { kind: 'in-flight' };
      if (entry.response !== undefined) return { kind: 'replay', response: entry.response };
    }
    this.#entries.set(key, {
      fingerprint,
      expiresAt: now + this.#ttlMs,
      response: undefined,
      finished: false,
    });
    return { kind: 'proceed' };
  }

  /** Remembers the response the request produced once its change is committed. */
  record(key: string, response: StoredResponse): void {
    const entry = this.#entries.get(key);
    if (entry !== undefined) entry.response = response;
  }

  /** Ends the in-flight period; a request that committed nothing frees its key. */
  finish(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    if (entry.response === undefined) this.#entries.delete(key);
    else entry.finished = true;
  }

  #evictExpired(now: number): void {
    // With one TTL for all keys, Map insertion order is expiry order.
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt > now) break;
      this.#entries.delete(key);
    }
  }
}

/** Identifies a request payload independently of its key order and whitespace. */
export function payloadFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n${canonicalJson(body)}`)
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
