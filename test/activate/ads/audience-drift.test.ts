import { describe, expect, it } from 'vitest';
import type { AudienceIdentifiers } from '../../../src/activate/ads/ads-sends.ts';
import { remainingAdds, repairsFromPage } from '../../../src/activate/ads/audience-drift.ts';
import type { SendRecord } from '../../../src/activate/send-record.ts';

/** The latest send the outbox holds of a person: an add or a remove. */
const told = (profileId: string, op: 'add' | 'remove'): SendRecord => ({
  workspaceId: 'shop',
  id: `${profileId}-${op}`,
  profileId,
  channel: 'meta_audiences',
  to: `${profileId}@example.com`,
  content: { op, segment: 'vip', list: '1', email: `${profileId}@example.com`, phone: '+15550100' },
  trigger: 'audience:meta_audiences:vip',
  status: 'sent',
  attempts: 1,
  nextAttemptAt: 0,
  createdAt: 0,
  updatedAt: 0,
});

const member = (id: string): [string, AudienceIdentifiers] => [id, { email: `${id}@example.com` }];

const SCENARIOS: {
  name: string;
  wanted: string[];
  latest: SendRecord[];
  full?: boolean;
  gone?: string[];
  adds: string[];
  removes: string[];
}[] = [
  { name: 'in step', wanted: ['a'], latest: [told('a', 'add')], adds: [], removes: [] },
  { name: 'never told of a member', wanted: ['a'], latest: [], adds: ['a'], removes: [] },
  { name: 'told to remove a member', wanted: ['a'], latest: [told('a', 'remove')], adds: ['a'], removes: [] },
  { name: 'added, no longer wanted', wanted: [], latest: [told('a', 'add')], adds: [], removes: ['a'] },
  { name: 'removed, no longer wanted', wanted: [], latest: [told('a', 'remove')], adds: [], removes: [] },
  {
    name: 'added, profile gone (erased or merged)',
    wanted: [],
    latest: [told('a', 'add')],
    gone: ['a'],
    adds: [],
    removes: [],
  },
  {
    name: 'full: every member again',
    wanted: ['a', 'b'],
    latest: [told('a', 'add'), told('c', 'add')],
    full: true,
    adds: ['a', 'b'],
    removes: ['c'],
  },
];

describe('audience drift', () => {
  for (const scenario of SCENARIOS) {
    it(scenario.name, () => {
      const wanted = new Map(scenario.wanted.map(member));
      const removes = repairsFromPage({
        wanted,
        latest: scenario.latest,
        full: scenario.full === true,
        exists: (id) => !(scenario.gone ?? []).includes(id),
      });
      expect(removes.every((repair) => repair.op === 'remove')).toBe(true);
      expect(removes.map((repair) => repair.profileId)).toEqual(scenario.removes);
      expect(remainingAdds(wanted).map((repair) => repair.profileId)).toEqual(scenario.adds);
    });
  }

  it('removes with the identifiers that were added', () => {
    const [repair] = repairsFromPage({
      wanted: new Map(),
      latest: [told('a', 'add')],
      full: false,
      exists: () => true,
    });
    expect(repair).toEqual({
      profileId: 'a',
      op: 'remove',
      identifiers: { email: 'a@example.com', phone: '+15550100' },
    });
  });
});
