import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying the signing time, in unix seconds. */
export const WEBHOOK_TIMESTAMP_HEADER = 'X-Tailor-Timestamp';
/** The header carrying `v1=<hex HMAC-SHA256>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'X-Tailor-Signature';
/** How far a signed timestamp may be from the receiver's clock by default (5 minutes). */
export const DEFAULT_WEBHOOK_TOLERANCE_MS = 300_000;

/**
 * The `X-Tailor-Signature` value for a body sent at `timestamp` (unix seconds):
 * `v1=` and the hex HMAC-SHA256, keyed by the shared secret, of `timestamp + '.' + body`.
 */
export function signWebhookBody(input: { body: string; timestamp: number | string; secret: string }): string {
  const digest = createHmac('sha256', input.secret).update(`${input.timestamp}.${input.body}`, 'utf8');
  return `v1=${digest.digest('hex')}`;
}

/**
 * For receivers: whether a Tailor webhook request is genuine and fresh. `body` is the raw
 * request body exactly as received (not re-serialized JSON), `timestamp` the
 * `X-Tailor-Timestamp` header, `signature` the `X-Tailor-Signature` header (several
 * comma-separated `v1=` values are accepted, for secret rotation), `now` the receiver's clock
 * (epoch ms). False when the timestamp is not within `toleranceMs` of `now` (a replay), when no
 * signature matches (a forgery or a tampered body), or when a header is missing. Signatures are
 * compared in constant time.
 */
export function verifyWebhookSignature(input: {
  body: string;
  timestamp: string | number | undefined;
  signature: string | undefined;
  secret: string;
  now: number;
  toleranceMs?: number;
}): boolean {
  const { timestamp, signature } = input;
  if (timestamp === undefined || signature === undefined) return false;
  const text = String(timestamp).trim();
  if (!/^\d+$/.test(text)) return false;
  const toleranceMs = input.toleranceMs ?? DEFAULT_WEBHOOK_TOLERANCE_MS;
  if (Math.abs(input.now - Number(text) * 1000) > toleranceMs) return false;
  const expected = Buffer.from(signWebhookBody({ body: input.body, timestamp: text, secret: input.secret }));
  let matched = false;
  for (const candidate of signature.split(',')) {
    const given = Buffer.from(candidate.trim());
    // Every candidate is compared, so the time taken does not say which one matched.
    if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
  }
  return matched;
}
