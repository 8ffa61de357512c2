import { createHash, randomBytes } from 'node:crypto';
import type { KeyKind } from '../store/ports/key-store.ts';

/** Hashes an API key for storage and lookup; keys themselves are never stored. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Generates a new key: `wk_…` for write keys, `ak_…` for admin keys, 32 random bytes. */
export function generateKey(kind: KeyKind): string {
  return `${kind === 'write' ? 'wk' : 'ak'}_${randomBytes(24).toString('base64url')}`;
}

/**
 * What lists show of a key, as Stripe does (`wk_…abcd`): its kind prefix when it has Tailor's,
 * and its last 4 characters only when the key is long enough (16+) that they give little away.
 */
export function keyHint(key: string): string {
  const prefix = /^(wk|ak)_/.exec(key)?.[0] ?? '';
  return key.length >= 16 ? `${prefix}…${key.slice(-4)}` : `${prefix}…`;
}
