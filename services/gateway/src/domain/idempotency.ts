import { createHash } from 'node:crypto';

/**
 * Idempotent submission (IETF draft-ietf-httpapi-idempotency-key-header): a client sends
 * `Idempotency-Key` on a creating POST; a retry with the same key and the same request gets
 * the first answer again instead of creating a second thing. These are the rules; the
 * middleware in http/ and the queries in db/ carry them out.
 */

export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

export type ParsedKey = { valid: true; key: string } | { valid: false; reason: string };

/**
 * Reads the header's value. The draft makes it a Structured Field String (`"…"`, RFC 8941
 * 3.3.3, with `\"` and `\\` escapes); many clients send the bare value, so that is taken
 * too and means the same key. Either way the key is 1 to 255 printable ASCII characters.
 */
export function parseIdempotencyKey(headerValue: string): ParsedKey {
  const trimmed = headerValue.trim();
  const key = trimmed.startsWith('"') ? unquoteStructuredString(trimmed) : trimmed;
  if (key === undefined) {
    return {
      valid: false,
      reason:
        'a quoted key must be one Structured Field String: "…" with only \\" and \\\\ escapes',
    };
  }
  if (key.length === 0) return { valid: false, reason: 'the key is empty' };
  if (key.length > IDEMPOTENCY_KEY_MAX_LENGTH) {
    return {
      valid: false,
      reason: `the key is ${key.length} characters; at most ${IDEMPOTENCY_KEY_MAX_LENGTH} are allowed`,
    };
  }
  if (!/^[\x20-\x7e]+$/.test(key)) {
    return { valid: false, reason: 'the key may hold printable ASCII characters only' };
  }
  return { valid: true, key };
}

/** RFC 8941 sf-string: the whole value, one string, nothing after the closing quote. */
function unquoteStructuredString(value: string): string | undefined {
  let key = '';
  for (let i = 1; i < value.length; i += 1) {
    const char = value[i];
    if (char === '\\') {
      const escaped = value[i + 1];
      if (escaped !== '"' && escaped !== '\\') return undefined;
      key += escaped;
      i += 1;
    } else if (char === '"') {
      return i === value.length - 1 ? key : undefined;
    } else {
      key += char;
    }
  }
  return undefined;
}

export interface FingerprintedRequest {
  method: string;
  /** The public path with its query string. */
  path: string;
  body: string;
}

/**
 * SHA-256 of method, path and body. A JSON body counts by its content, keys sorted, so a
 * client that serialises the same object again in another key order or spacing is still
 * sending the same request; any other body counts byte for byte.
 */
export function requestFingerprint(request: FingerprintedRequest): string {
  return createHash('sha256')
    .update(`${request.method.toUpperCase()}\n${request.path}\n${canonicalBody(request.body)}`)
    .digest('hex');
}

function canonicalBody(body: string): string {
  try {
    return JSON.stringify(sortedKeys(JSON.parse(body)));
  } catch {
    return body;
  }
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sortedKeys(v)]),
    );
  }
  return value;
}

export interface StoredResponse {
  status: number;
  contentType: string;
  body: string;
}

/** What is stored under a key: the request it was first used for, and its answer once there is one. */
export interface KeyRecord {
  fingerprint: string;
  createdAt: Date;
  /** Until when the request holding the key counts as running; null once it has answered. */
  leaseUntil: Date | null;
  response: StoredResponse | null;
}

export interface IdempotencyPolicy {
  /** How long a key is remembered after its first use (24 h). */
  retentionMs: number;
  /** How long a claim without an answer holds the key before a retry may take it over (60 s). */
  leaseMs: number;
}

export type KeyDecision =
  /** Nothing live under the key (never used, expired, or its claim ran out): run the request. */
  | { outcome: 'run' }
  /** The same request has answered: send that answer again. */
  | { outcome: 'replay'; response: StoredResponse }
  /** The key belongs to a different request: 422. */
  | { outcome: 'mismatch' }
  /** The same request is still running: 409, try again shortly. */
  | { outcome: 'in-flight'; retryAfterSeconds: number };

/**
 * Decides what a request carrying a key gets, given what is stored under the key and the
 * database's clock. An expired key is as good as new. Within its lifetime a key stays
 * bound to its first request, answered or not, so a different request is refused even
 * while the first one runs.
 */
export function decideKeyUse(
  record: KeyRecord | undefined,
  fingerprint: string,
  now: Date,
  policy: IdempotencyPolicy,
): KeyDecision {
  if (!record) return { outcome: 'run' };
  if (now.getTime() - record.createdAt.getTime() >= policy.retentionMs) return { outcome: 'run' };
  if (record.fingerprint !== fingerprint) return { outcome: 'mismatch' };
  if (record.response) return { outcome: 'replay', response: record.response };
  const leaseLeftMs = (record.leaseUntil?.getTime() ?? 0) - now.getTime();
  if (leaseLeftMs > 0) {
    return { outcome: 'in-flight', retryAfterSeconds: Math.max(1, Math.ceil(leaseLeftMs / 1000)) };
  }
  return { outcome: 'run' };
}

/**
 * Which answers are kept and replayed. Successes and refusals of the request itself are
 * final (the draft: "success or an error"). Server errors and upstream failures are not:
 * the key is released so a retry runs again. 401, 408, 409, 425 and 429 are about the
 * credential or the moment, not the request, so a retry may succeed and runs again too (a
 * 409 from a service is a state that may pass, e.g. a base-currency change racing the
 * submit, and created nothing).
 */
export function isFinalAnswer(status: number): boolean {
  if (status >= 200 && status < 300) return true;
  if (status >= 400 && status < 500) return ![401, 408, 409, 425, 429].includes(status);
  return false;
}
