import { hashKey } from '../engine/api-keys.ts';
import type { KeyKind, Store } from '../store/store.ts';

/** What a key grants: one workspace, and whether it may only write events or administer. */
export interface KeyGrant {
  workspaceId: string;
  kind: KeyKind;
}

/**
 * Looks API keys up by hash in the store, caching answers (including misses, briefly) so the
 * ingestion hot path does no store query per request.
 */
export class KeyRing {
  private readonly store: Store;
  private readonly known = new Map<string, KeyGrant>();
  private readonly misses = new Map<string, number>();
  private static readonly MISS_TTL_MS = 5_000;

  constructor(store: Store) {
    this.store = store;
  }

  /** The grant for `key`, or undefined when the key is not known. */
  async lookup(key: string, now: number): Promise<KeyGrant | undefined> {
    const cached = this.known.get(key);
    if (cached !== undefined) return cached;
    const missedAt = this.misses.get(key);
    if (missedAt !== undefined && now - missedAt < KeyRing.MISS_TTL_MS) return undefined;
    const grant = await this.store.findKey(hashKey(key));
    if (grant === undefined) {
      if (this.misses.size > 10_000) this.misses.clear();
      this.misses.set(key, now);
      return undefined;
    }
    this.known.set(key, grant);
    return grant;
  }
}
