import { describe, expect, it } from 'vitest';
import {
  candidateKeys,
  extractIdentifiers,
  readEventIdentifiers,
} from '../../src/identity/extract-identifiers.ts';
import { identifierKey } from '../../src/identity/identifier.ts';
import { DEFAULT_IDENTITY_RULES, type IdentityRules } from '../../src/identity/identity-rules.ts';
import type { TailorEvent } from '../../src/ingest/event.ts';
import { makeEvent } from './memory-identity-graph.ts';

const RULES: IdentityRules = { ...DEFAULT_IDENTITY_RULES, defaultCountry: 'IN' };
const nothingKnown = (): boolean => false;

function keys(event: TailorEvent, isKnown: (key: string) => boolean = nothingKnown): string[] {
  return extractIdentifiers(readEventIdentifiers(event, RULES), RULES, isKnown).map(identifierKey);
}

describe('extractIdentifiers', () => {
  const cases: { name: string; event: TailorEvent; expected: string[] }[] = [
    {
      name: 'identify: ids and traits, ordered by priority',
      event: makeEvent({
        type: 'identify',
        anonymousId: 'a1',
        userId: 'u1',
        traits: { phone: '98450 12345', email: ' A@B.com ' },
      }),
      expected: ['user_id:u1', 'email:a@b.com', 'phone:+919845012345', 'anonymous_id:a1'],
    },
    {
      name: 'track: email and phone from context.traits',
      event: makeEvent({
        type: 'track',
        anonymousId: 'a1',
        context: { traits: { email: 'c@d.com', phone: 'x' } },
      }),
      expected: ['email:c@d.com', 'anonymous_id:a1'],
    },
    {
      name: 'the same email in traits and context.traits counts once; both emails kept when they differ',
      event: makeEvent({
        type: 'identify',
        userId: 'u1',
        traits: { email: 'A@b.com' },
        context: { traits: { email: 'a@B.com' }, externalIds: [{ id: 'old@b.com', type: 'email' }] },
      }),
      expected: ['user_id:u1', 'email:a@b.com', 'email:old@b.com'],
    },
    {
      name: 'blocked and malformed values are left out',
      event: makeEvent({
        type: 'identify',
        userId: 'null',
        anonymousId: 'a1',
        traits: { email: 'test@test.com' },
      }),
      expected: ['anonymous_id:a1'],
    },
    {
      name: 'externalIds: types normalized, other collections and malformed entries skipped',
      event: makeEvent({
        type: 'track',
        context: {
          externalIds: [
            { id: 'HS-1', type: 'hubspotId', collection: 'users', encoding: 'none' },
            { id: '919845012345', type: 'whatsapp' },
            { id: 'u9', type: 'userId' },
            { id: 'dev-1', type: 'anonymous_id' },
            { id: 'acct-1', type: 'salesforce_id', collection: 'accounts' },
            { id: 'no-type' },
            'not-an-object',
          ],
        },
      }),
      expected: ['user_id:u9', 'whatsapp:+919845012345', 'hubspot_id:HS-1', 'anonymous_id:dev-1'],
    },
    {
      name: 'externalIds that are not an array are ignored',
      event: makeEvent({
        type: 'track',
        anonymousId: 'a1',
        context: { externalIds: { id: 'x', type: 'email' } },
      }),
      expected: ['anonymous_id:a1'],
    },
    {
      name: 'alias: an unknown previousId is an anonymous_id',
      event: makeEvent({ type: 'alias', userId: 'u2', previousId: 'old' }),
      expected: ['user_id:u2', 'anonymous_id:old'],
    },
    {
      name: 'nothing to identify',
      event: makeEvent({ type: 'track', traits: { email: 42 } }),
      expected: [],
    },
  ];

  it.each(cases)('$name', ({ event, expected }) => {
    expect(keys(event)).toEqual(expected);
  });

  it('alias: previousId is a user_id when the graph knows it as one, else an anonymous_id when known so', () => {
    const alias = makeEvent({ type: 'alias', userId: 'u2', previousId: 'p' });
    expect(keys(alias, (key) => key === 'user_id:p')).toEqual(['user_id:u2', 'user_id:p']);
    expect(keys(alias, (key) => key === 'anonymous_id:p')).toEqual(['user_id:u2', 'anonymous_id:p']);
    expect(keys(alias, (key) => key === 'user_id:p' || key === 'anonymous_id:p')).toEqual([
      'user_id:u2',
      'user_id:p',
    ]);
  });

  it('orders by custom priorities', () => {
    const rules: IdentityRules = { ...RULES, types: { ...RULES.types, hubspot_id: { priority: 0 } } };
    const event = makeEvent({
      type: 'identify',
      userId: 'u1',
      anonymousId: 'a1',
      context: {
        externalIds: [
          { id: 'H', type: 'hubspot_id' },
          { id: 'Z', type: 'zendesk_id' },
        ],
      },
    });
    expect(
      extractIdentifiers(readEventIdentifiers(event, rules), rules, nothingKnown).map(identifierKey),
    ).toEqual(['hubspot_id:H', 'user_id:u1', 'zendesk_id:Z', 'anonymous_id:a1']);
  });
});

describe('candidateKeys', () => {
  it('lists every normalized key, with both forms of an alias previousId', () => {
    const event = makeEvent({
      type: 'alias',
      userId: 'u2',
      previousId: ' p ',
      context: { traits: { email: 'E@x.com' }, externalIds: [{ id: 'e@X.com', type: 'email' }] },
    });
    expect(candidateKeys(readEventIdentifiers(event, RULES)).sort()).toEqual(
      ['user_id:u2', 'user_id:p', 'anonymous_id:p', 'email:e@x.com'].sort(),
    );
  });

  it('covers whatever extractIdentifiers can return', () => {
    const event = makeEvent({
      type: 'identify',
      userId: 'u1',
      anonymousId: 'a1',
      traits: { email: 'a@b.com', phone: '9845012345' },
      context: { externalIds: [{ id: 'H', type: 'hubspot_id' }] },
    });
    expect(candidateKeys(readEventIdentifiers(event, RULES)).sort()).toEqual(keys(event).sort());
  });
});
