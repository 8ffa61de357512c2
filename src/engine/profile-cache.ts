import type { ProfileState } from '../profile/profile.ts';
import { decodeProfile, encodeProfile } from '../profile/profile-codec.ts';

/**
 * The view's cached profiles by id, in one of two forms: a live object while the writer works
 * on it, or — once committed and left alone — its MessagePack encoding held as a one-byte
 * string. A string costs its length plus a small header; the objects of a profile (its traits,
 * identifiers, computed state, recent events), several times more. `get` turns a compact
 * profile back into an object (a few microseconds), which `compact` encodes again after the
 * next commit.
 *
 * It answers the Map methods the engine uses, in the Map's insertion order (oldest first, which
 * eviction relies on).
 */
export class ProfileCache {
  private readonly entries = new Map<string, ProfileState | string>();
  /** Ids held as objects: the candidates for the next `compact`. */
  private readonly live = new Set<string>();

  get size(): number {
    return this.entries.size;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** The profile, as the live object the writer changes (decoded and kept when it was compact). */
  get(id: string): ProfileState | undefined {
    const entry = this.entries.get(id);
    if (typeof entry !== 'string') return entry;
    const profile = decode(entry);
    this.entries.set(id, profile);
    this.live.add(id);
    return profile;
  }

  /** The profile to read only: a compact one is decoded for the caller and stays compact. */
  peek(id: string): ProfileState | undefined {
    const entry = this.entries.get(id);
    return typeof entry === 'string' ? decode(entry) : entry;
  }

  set(id: string, profile: ProfileState): this {
    this.entries.set(id, profile);
    this.live.add(id);
    return this;
  }

  delete(id: string): boolean {
    this.live.delete(id);
    return this.entries.delete(id);
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** Every profile, to read only (as `peek`). */
  *values(): IterableIterator<ProfileState> {
    for (const entry of this.entries.values()) yield typeof entry === 'string' ? decode(entry) : entry;
  }

  /**
   * Holds `profile` as `bytes` (its `encodeProfile`, written by a view commit) when it is still
   * the cached object: encoded once for the store and the cache alike. From here on the writer
   * works on a copy decoded from them (`get`), so the object stays as the commit took it.
   */
  settle(profile: ProfileState, bytes: Uint8Array): void {
    if (this.entries.get(profile.id) !== profile) return;
    this.entries.set(
      profile.id,
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'),
    );
    this.live.delete(profile.id);
  }

  /**
   * Encodes the live profiles that `keepLive` does not claim (those changed since the last
   * commit): call right after a commit, when everything else is in the store as it is here.
   */
  compact(keepLive: (id: string) => boolean): void {
    for (const id of this.live) {
      if (keepLive(id)) continue;
      const profile = this.entries.get(id);
      if (profile !== undefined && typeof profile !== 'string') this.entries.set(id, encode(profile));
      this.live.delete(id);
    }
  }
}

/** MessagePack bytes as a one-byte string: one heap object, no buffer beside it. */
function encode(profile: ProfileState): string {
  const bytes = encodeProfile(profile);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function decode(compact: string): ProfileState {
  return decodeProfile(Buffer.from(compact, 'latin1'));
}
