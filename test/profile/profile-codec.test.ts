import { describe, expect, it } from 'vitest';
import type { ProfileState } from '../../src/profile/profile.ts';
import { decodeProfile, encodeProfile } from '../../src/profile/profile-codec.ts';

const profile: ProfileState = {
  id: 'prf_1',
  workspaceId: 'shop',
  identifiers: { email: ['ada@example.com'], user_id: ['u1'] },
  traits: { name: { value: 'Ada', at: 1 }, tags: { value: ['a', { deep: [1, 2.5, null] }], at: 2 } },
  computed: {},
  consent: { email: { granted: true, at: 3, source: 'context.consent' } },
  firstSeen: 1,
  lastSeen: 1_790_000_000_123,
  recent: [{ messageId: 'm1', type: 'track', name: 'Ünïcode 🎉', timestamp: 5 }],
  mergedIds: [],
  eventCount: 2,
};

describe('profile codec', () => {
  it('reads back exactly what JSON would, and is smaller', () => {
    const bytes = encodeProfile(profile);
    expect(decodeProfile(bytes)).toEqual(JSON.parse(JSON.stringify(profile)));
    expect(bytes.length).toBeLessThan(JSON.stringify(profile).length);
  });

  it('leaves out undefined fields as JSON does', () => {
    const decoded = decodeProfile(encodeProfile({ ...profile, firstTouch: undefined }));
    expect('firstTouch' in decoded).toBe(false);
  });
});
