import { createHash, randomBytes } from 'node:crypto';
import type { KeyKind } from '../store/store.ts';

/** Hashes an API key for storage and lookup; keys themselves are never stored. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Generates a new key: `wk_…` for write keys, `ak_…` for admin keys, 32 random bytes. */
export function generateKey(kind: KeyKind): string {
  return `${kind === 'write' ? 'wk' : 'ak'}_${randomBytes(24).toString('base64url')}`;
}
