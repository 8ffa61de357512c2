import { hashKey } from '../engine/api-keys.ts';
import type { KeyKind, KeyStore } from '../store/ports/key-store.ts';

/** What a key grants: one workspace, and whether it may only write events or administer. */
export interface KeyGrant {
  /** The key's public id (`key_…`), for revocation and last-use records. */
  id: string;
  workspaceId: string;
  kind: KeyKind;
}

interface Known {
  grant: KeyGrant;
  checkedAt: number;
}

/**
 * Looks API keys up by hash in the store, caching answers (including misses, briefly) so the
 * ingestion hot path does no store query per request. A revocation through this process calls
 * `forget`, so it holds before the API answers; a revocation by another node sharing the store
 * holds here once the cached grant is older than `KNOWN_TTL_MS`. Last use is written at most
 * once a minute per key, never per request.
 */
export class KeyRing {
  private readonly store: KeyStore;
  private readonly known = new Map<string, Known>();
  private readonly misses = new Map<string, number>();
  private readonly touched = new Map<string, number>();
  private static readonly MISS_TTL_MS = 5_000;
  /** How long a found key is trusted without asking the store again. */
  static readonly KNOWN_TTL_MS = 30_000;
  /** The least time between two writes of one key's last use. */
  static readonly TOUCH_INTERVAL_MS = 60_000;

  constructor(store: KeyStore) {
    this.store = store;
  }

  /** The grant for `key`, or undefined when the key is not known or revoked. */
  async lookup(key: string, now: number): Promise<KeyGrant | undefined> {
    const cached = this.known.get(key);
    if (cached !== undefined && now - cached.checkedAt < KeyRing.KNOWN_TTL_MS && now >= cached.checkedAt) {
      this.touch(cached.grant.id, now);
      return cached.grant;
    }
    const missedAt = this.misses.get(key);
    if (missedAt !== undefined && now - missedAt < KeyRing.MISS_TTL_MS && now >= missedAt) return undefined;
    const grant = await this.store.findKey(hashKey(key));
    if (grant === undefined) {
      this.known.delete(key);
      if (this.misses.size > 10_000) this.misses.clear();
      this.misses.set(key, now);
      return undefined;
    }
    this.misses.delete(key);
    this.known.set(key, { grant, checkedAt: now });
    this.touch(grant.id, now);
    return grant;
  }

  /** Drops every cached grant of the key with this id: call it when the key is revoked. */
  forget(id: string): void {
    for (const [key, known] of this.known) if (known.grant.id === id) this.known.delete(key);
    this.touched.delete(id);
  }

  private touch(id: string, now: number): void {
    const last = this.touched.get(id);
    if (last !== undefined && now - last < KeyRing.TOUCH_INTERVAL_MS && now >= last) return;
    this.touched.set(id, now);
    // Last use is advisory: a failed write must never fail the request it was recorded for.
    this.store.touchKey(id, now).catch(() => undefined);
  }
}
