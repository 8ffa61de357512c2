import { describe, expect, it } from 'vitest';
import { identifierKey } from '../../src/identity/identifier.ts';
import { DEFAULT_IDENTITY_RULES, type IdentityRules } from '../../src/identity/identity-rules.ts';
import { resolveIdentity } from '../../src/identity/resolve-identity.ts';
import type { TailorEvent } from '../../src/ingest/event.ts';
import { MemoryIdentityGraph, makeEvent } from './memory-identity-graph.ts';

/** What one step's resolution should say (only the fields given are checked). */
interface StepExpectation {
  profileId?: string;
  created?: boolean;
  merged?: string[];
  added?: string[];
  dropped?: string[];
  matchedOn?: string[];
}

interface Scenario {
  name: string;
  rules?: IdentityRules;
  steps: { event: TailorEvent; expect?: StepExpectation }[];
  /** Every profile at the end, as sorted identifier keys. */
  profiles: string[][];
}

const track = (fields: Partial<TailorEvent>): TailorEvent =>
  makeEvent({ type: 'track', event: 'Viewed', ...fields });
const identify = (fields: Partial<TailorEvent>): TailorEvent => makeEvent({ type: 'identify', ...fields });
const alias = (userId: string, previousId: string): TailorEvent =>
  makeEvent({ type: 'alias', userId, previousId });

const withTypes = (types: IdentityRules['types']): IdentityRules => ({
  ...DEFAULT_IDENTITY_RULES,
  types: { ...DEFAULT_IDENTITY_RULES.types, ...types },
});

const scenarios: Scenario[] = [
  {
    name: 'anonymous visitor then identify: one profile',
    steps: [
      {
        event: track({ anonymousId: 'a1' }),
        expect: { profileId: 'p1', created: true, added: ['anonymous_id:a1'] },
      },
      {
        event: identify({ anonymousId: 'a1', userId: 'u1', traits: { email: 'U1@x.com' } }),
        expect: {
          profileId: 'p1',
          created: false,
          merged: [],
          added: ['user_id:u1', 'email:u1@x.com'],
          matchedOn: ['anonymous_id:a1'],
        },
      },
      { event: track({ userId: 'u1' }), expect: { profileId: 'p1', added: [], matchedOn: ['user_id:u1'] } },
    ],
    profiles: [['anonymous_id:a1', 'email:u1@x.com', 'user_id:u1']],
  },
  {
    name: 'two anonymous devices merged by logging in on both',
    steps: [
      { event: track({ anonymousId: 'laptop' }) },
      { event: track({ anonymousId: 'phone' }) },
      {
        event: identify({ anonymousId: 'laptop', userId: 'u1' }),
        expect: { profileId: 'p1', added: ['user_id:u1'] },
      },
      {
        event: identify({ anonymousId: 'phone', userId: 'u1' }),
        expect: {
          profileId: 'p1',
          created: false,
          merged: ['p2'],
          added: [],
          matchedOn: ['user_id:u1', 'anonymous_id:phone'],
        },
      },
    ],
    profiles: [['anonymous_id:laptop', 'anonymous_id:phone', 'user_id:u1']],
  },
  {
    name: 'one event joins three profiles; the survivor is the one matched by the highest priority',
    steps: [
      { event: track({ anonymousId: 'a1' }) },
      { event: track({ context: { traits: { email: 'e@x.com' } } }) },
      { event: identify({ userId: 'u1' }) },
      {
        event: identify({ anonymousId: 'a1', userId: 'u1', traits: { email: 'e@x.com' } }),
        expect: { profileId: 'p3', merged: ['p2', 'p1'], added: [], dropped: [] },
      },
    ],
    profiles: [['anonymous_id:a1', 'email:e@x.com', 'user_id:u1']],
  },
  {
    name: 'shared device: the second user gets a new profile and the device id is dropped',
    steps: [
      { event: identify({ anonymousId: 'kiosk', userId: 'u1' }) },
      {
        event: identify({ anonymousId: 'kiosk', userId: 'u2' }),
        expect: { profileId: 'p2', created: true, added: ['user_id:u2'], dropped: ['anonymous_id:kiosk'] },
      },
      { event: track({ anonymousId: 'kiosk' }), expect: { profileId: 'p1' } },
    ],
    profiles: [['anonymous_id:kiosk', 'user_id:u1'], ['user_id:u2']],
  },
  {
    name: 'shared email between two user_ids is not fused',
    steps: [
      { event: identify({ userId: 'u1', traits: { email: 'family@x.com' } }) },
      {
        event: identify({ userId: 'u2', traits: { email: 'family@x.com' } }),
        expect: { created: true, added: ['user_id:u2'], dropped: ['email:family@x.com'], merged: [] },
      },
    ],
    profiles: [['email:family@x.com', 'user_id:u1'], ['user_id:u2']],
  },
  {
    name: 'a conflict drops only the conflicting identifier, not the unrelated new ones',
    steps: [
      { event: identify({ userId: 'u1', traits: { email: 'family@x.com' } }) },
      {
        event: identify({ userId: 'u2', anonymousId: 'new-device', traits: { email: 'family@x.com' } }),
        expect: {
          profileId: 'p2',
          created: true,
          added: ['user_id:u2', 'anonymous_id:new-device'],
          dropped: ['email:family@x.com'],
          matchedOn: [],
        },
      },
    ],
    profiles: [
      ['anonymous_id:new-device', 'user_id:u2'],
      ['email:family@x.com', 'user_id:u1'],
    ],
  },
  {
    name: 'blocked values never link people',
    steps: [
      { event: identify({ anonymousId: 'a1', userId: 'null', traits: { email: 'test@test.com' } }) },
      { event: identify({ anonymousId: 'a2', userId: 'NULL', traits: { email: 'TEST@test.com' } }) },
    ],
    profiles: [['anonymous_id:a1'], ['anonymous_id:a2']],
  },
  {
    name: 'emails and phones match across spellings',
    rules: { ...DEFAULT_IDENTITY_RULES, defaultCountry: 'IN' },
    steps: [
      { event: identify({ userId: 'u1', traits: { email: ' A@B.com ', phone: '98450 12345' } }) },
      {
        event: track({ anonymousId: 'a9', context: { traits: { email: 'a@b.COM' } } }),
        expect: { profileId: 'p1' },
      },
      {
        event: track({ anonymousId: 'a8', context: { traits: { phone: '+91 98450-12345' } } }),
        expect: { profileId: 'p1' },
      },
    ],
    profiles: [['anonymous_id:a8', 'anonymous_id:a9', 'email:a@b.com', 'phone:+919845012345', 'user_id:u1']],
  },
  {
    name: 'externalIds resolve like any other identifier',
    steps: [
      {
        event: identify({
          userId: 'u1',
          context: { externalIds: [{ id: 'HS-7', type: 'hubspot_id', collection: 'users' }] },
        }),
      },
      {
        event: track({ anonymousId: 'a1', context: { externalIds: [{ id: 'HS-7', type: 'hubspotId' }] } }),
        expect: { profileId: 'p1', matchedOn: ['hubspot_id:HS-7'], added: ['anonymous_id:a1'] },
      },
    ],
    profiles: [['anonymous_id:a1', 'hubspot_id:HS-7', 'user_id:u1']],
  },
  {
    name: 'alias of an anonymous id to a user merges them',
    steps: [
      { event: track({ anonymousId: 'a1' }) },
      { event: identify({ userId: 'u1' }) },
      {
        event: alias('u1', 'a1'),
        expect: { profileId: 'p2', merged: ['p1'], matchedOn: ['user_id:u1', 'anonymous_id:a1'] },
      },
    ],
    profiles: [['anonymous_id:a1', 'user_id:u1']],
  },
  {
    name: 'alias of an unknown previous id attaches it as an anonymous id',
    steps: [
      { event: identify({ userId: 'u1' }) },
      { event: alias('u1', 'old-cookie'), expect: { profileId: 'p1', added: ['anonymous_id:old-cookie'] } },
    ],
    profiles: [['anonymous_id:old-cookie', 'user_id:u1']],
  },
  {
    name: 'alias of a known user_id to another user_id would break the limit: previousId dropped',
    steps: [
      { event: identify({ userId: 'old-login' }) },
      {
        event: alias('new-login', 'old-login'),
        expect: {
          profileId: 'p2',
          created: true,
          added: ['user_id:new-login'],
          dropped: ['user_id:old-login'],
        },
      },
    ],
    profiles: [['user_id:new-login'], ['user_id:old-login']],
  },
  {
    name: 'custom limit: a user_id limit of 2 lets an alias join two logins',
    rules: withTypes({ user_id: { priority: 1, limit: 2 } }),
    steps: [
      { event: identify({ userId: 'old-login' }) },
      { event: alias('new-login', 'old-login'), expect: { profileId: 'p1', added: ['user_id:new-login'] } },
    ],
    profiles: [['user_id:new-login', 'user_id:old-login']],
  },
  {
    name: 'custom limit: one email per profile',
    rules: withTypes({ email: { priority: 2, limit: 1 } }),
    steps: [
      { event: identify({ userId: 'u1', traits: { email: 'first@x.com' } }) },
      {
        event: identify({ userId: 'u1', traits: { email: 'second@x.com' } }),
        expect: { dropped: ['email:second@x.com'] },
      },
    ],
    profiles: [['email:first@x.com', 'user_id:u1']],
  },
  {
    name: 'custom type without a rule uses the default limit of 5',
    steps: [
      {
        event: identify({
          userId: 'u1',
          context: {
            externalIds: ['1', '2', '3', '4', '5', '6'].map((id) => ({ id: `c${id}`, type: 'crm_id' })),
          },
        }),
        expect: { dropped: ['crm_id:c6'] },
      },
    ],
    profiles: [['crm_id:c1', 'crm_id:c2', 'crm_id:c3', 'crm_id:c4', 'crm_id:c5', 'user_id:u1']],
  },
  {
    name: 'no limit on a type: anonymous ids pile up',
    rules: withTypes({ anonymous_id: { priority: 100 } }),
    steps: [
      { event: identify({ userId: 'u1', anonymousId: 'a1' }) },
      { event: identify({ userId: 'u1', anonymousId: 'a2' }) },
      { event: identify({ userId: 'u1', anonymousId: 'a3' }) },
    ],
    profiles: [['anonymous_id:a1', 'anonymous_id:a2', 'anonymous_id:a3', 'user_id:u1']],
  },
  {
    name: 'custom priority: an email outranks user_id and picks the survivor',
    rules: withTypes({ email: { priority: 0, limit: 5 }, user_id: { priority: 1, limit: 5 } }),
    steps: [
      { event: identify({ userId: 'u1' }) },
      { event: track({ context: { traits: { email: 'e@x.com' } } }) },
      {
        event: identify({ userId: 'u1', traits: { email: 'e@x.com' } }),
        expect: { profileId: 'p2', merged: ['p1'] },
      },
    ],
    profiles: [['email:e@x.com', 'user_id:u1']],
  },
];

describe('resolveIdentity scenarios', () => {
  it.each(scenarios)('$name', ({ rules = DEFAULT_IDENTITY_RULES, steps, profiles }) => {
    const graph = new MemoryIdentityGraph();
    for (const [index, step] of steps.entries()) {
      const resolution = graph.apply(step.event, rules);
      if (resolution === undefined) throw new Error(`step ${index} carried no identifier`);
      const { expect: expected } = step;
      if (expected === undefined) continue;
      const actual: Record<string, unknown> = {
        ...resolution,
        added: resolution.added.map(identifierKey),
        dropped: resolution.dropped.map(identifierKey),
      };
      const picked = Object.fromEntries(Object.keys(expected).map((field) => [field, actual[field]]));
      expect(picked, `step ${index}`).toEqual(expected);
    }
    expect(graph.snapshot()).toEqual(profiles);
  });
});

describe('resolveIdentity', () => {
  const graphOf = (profiles: Record<string, Record<string, string[]>>) => ({
    profileIdFor: (key: string) =>
      Object.entries(profiles).find(([, ids]) =>
        Object.entries(ids).some(([type, values]) => values.some((value) => `${type}:${value}` === key)),
      )?.[0],
    identifiersOf: (id: string) => profiles[id] ?? {},
  });

  it('sorts and deduplicates identifiers given out of order', () => {
    const resolution = resolveIdentity({
      identifiers: [
        { type: 'anonymous_id', value: 'a1' },
        { type: 'user_id', value: 'u1' },
        { type: 'anonymous_id', value: 'a1' },
      ],
      graph: graphOf({ A: { anonymous_id: ['a1'] }, B: { user_id: ['u1'] } }),
      rules: DEFAULT_IDENTITY_RULES,
      newProfileId: () => 'new',
    });
    expect(resolution).toEqual({
      profileId: 'B',
      created: false,
      merged: ['A'],
      added: [],
      dropped: [],
      matchedOn: ['user_id:u1', 'anonymous_id:a1'],
    });
  });

  it('still resolves a profile that holds more than a since-tightened limit, but does not let it grow', () => {
    const graph = graphOf({ A: { user_id: ['u1', 'u2'], anonymous_id: ['a1'] } });
    const known = resolveIdentity({
      identifiers: [
        { type: 'user_id', value: 'u1' },
        { type: 'anonymous_id', value: 'a1' },
      ],
      graph,
      rules: DEFAULT_IDENTITY_RULES,
      newProfileId: () => 'new',
    });
    expect(known).toMatchObject({ profileId: 'A', dropped: [] });
    const third = resolveIdentity({
      identifiers: [
        { type: 'user_id', value: 'u3' },
        { type: 'anonymous_id', value: 'a1' },
      ],
      graph,
      rules: DEFAULT_IDENTITY_RULES,
      newProfileId: () => 'new',
    });
    expect(third).toMatchObject({
      profileId: 'new',
      created: true,
      dropped: [{ type: 'anonymous_id', value: 'a1' }],
    });
  });

  it('keeps the highest-priority identifier even when its type allows none', () => {
    const resolution = resolveIdentity({
      identifiers: [
        { type: 'user_id', value: 'u1' },
        { type: 'email', value: 'e@x.com' },
      ],
      graph: graphOf({}),
      rules: withTypes({ user_id: { priority: 1, limit: 0 }, email: { priority: 2, limit: 0 } }),
      newProfileId: () => 'new',
    });
    expect(resolution).toMatchObject({
      created: true,
      added: [{ type: 'user_id', value: 'u1' }],
      dropped: [{ type: 'email', value: 'e@x.com' }],
    });
  });
});
