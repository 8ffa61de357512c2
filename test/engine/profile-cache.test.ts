import { describe, expect, it } from 'vitest';
import { ProfileCache } from '../../src/engine/profile-cache.ts';
import type { ProfileState } from '../../src/profile/profile.ts';
import { encodeProfile } from '../../src/profile/profile-codec.ts';

function profile(id: string, city: string): ProfileState {
  return {
    id,
    workspaceId: 'shop',
    identifiers: { user_id: [id.slice(4)] },
    traits: { city: { value: city, at: 1 } },
    computed: {},
    scores: {},
    consent: {},
    firstSeen: 1,
    lastSeen: 2,
    recent: [{ messageId: `m-${id}`, type: 'identify', timestamp: 1 }],
    mergedIds: [],
    eventCount: 1,
  } as ProfileState;
}

describe('ProfileCache', () => {
  it("holds a committed profile as the commit's bytes, and leaves the committed object alone", () => {
    const cache = new ProfileCache();
    const committed = profile('prf_a', 'Pune');
    cache.set('prf_a', committed);
    const bytes = encodeProfile(committed);
    cache.settle(committed, bytes);
    const live = cache.get('prf_a') as ProfileState;
    expect(live).not.toBe(committed);
    expect(live).toEqual(committed);
    live.eventCount = 9;
    expect(committed.eventCount).toBe(1);
    // Not the cached object any more: settling it again changes nothing.
    cache.settle(committed, bytes);
    expect(cache.get('prf_a')?.eventCount).toBe(9);
  });

  it('gives back a compacted profile equal to what was cached, and live again for the writer', () => {
    const cache = new ProfileCache();
    const original = profile('prf_a', 'Pune');
    cache.set('prf_a', original);
    const snapshot = structuredClone(original);
    cache.compact(() => false);
    expect(cache.peek('prf_a')).toEqual(snapshot);
    expect(cache.peek('prf_a')).not.toBe(cache.peek('prf_a'));
    const live = cache.get('prf_a');
    expect(live).toEqual(snapshot);
    // Live again: the writer's changes stick until the next compaction, which keeps them.
    (live as ProfileState).eventCount = 7;
    expect(cache.get('prf_a')).toBe(live);
    cache.compact(() => false);
    expect(cache.peek('prf_a')?.eventCount).toBe(7);
  });

  it('keeps live what the caller says changed since the commit, and never makes a peeked profile live', () => {
    const cache = new ProfileCache();
    const dirty = profile('prf_dirty', 'Pune');
    cache.set('prf_dirty', dirty);
    cache.set('prf_clean', profile('prf_clean', 'Goa'));
    cache.compact((id) => id === 'prf_dirty');
    expect(cache.get('prf_dirty')).toBe(dirty);
    const peeked = cache.peek('prf_clean');
    if (peeked === undefined) throw new Error('missing');
    peeked.eventCount = 99;
    // A peeked copy is the caller's: the cache still holds the committed profile.
    expect(cache.peek('prf_clean')?.eventCount).toBe(1);
  });

  it('keeps insertion order across compaction and deletes either form', () => {
    const cache = new ProfileCache();
    for (const id of ['prf_1', 'prf_2', 'prf_3']) cache.set(id, profile(id, 'Goa'));
    cache.compact((id) => id === 'prf_2');
    expect([...cache.keys()]).toEqual(['prf_1', 'prf_2', 'prf_3']);
    expect([...cache.values()].map((p) => p.id)).toEqual(['prf_1', 'prf_2', 'prf_3']);
    expect(cache.delete('prf_1')).toBe(true);
    expect(cache.delete('prf_2')).toBe(true);
    expect(cache.has('prf_1')).toBe(false);
    expect(cache.size).toBe(1);
  });
});
