import { describe, expect, it } from 'vitest';
import { DEFAULT_IDENTITY_RULES, type IdentityRules } from '../../src/identity/identity-rules.ts';
import { normalizeIdentifier, normalizeIdentifierType } from '../../src/identity/normalize-identifier.ts';

const IN: IdentityRules = { ...DEFAULT_IDENTITY_RULES, defaultCountry: 'IN' };

describe('normalizeIdentifier', () => {
  const cases: {
    name: string;
    type: string;
    raw: unknown;
    rules?: IdentityRules;
    expected: string | undefined;
  }[] = [
    { name: 'email is trimmed and lower-cased', type: 'email', raw: ' A@B.com ', expected: 'a@b.com' },
    { name: 'email without a domain dot', type: 'email', raw: 'a@b', expected: undefined },
    { name: 'email without @', type: 'email', raw: 'ab.com', expected: undefined },
    { name: 'email with inner space', type: 'email', raw: 'a b@c.com', expected: undefined },
    { name: 'blocked email, any case', type: 'email', raw: ' TEST@Test.com ', expected: undefined },
    {
      name: 'national phone read with default country',
      type: 'phone',
      raw: '98450 12345',
      rules: IN,
      expected: '+919845012345',
    },
    {
      name: 'phone with trunk prefix 0',
      type: 'phone',
      raw: '098450 12345',
      rules: IN,
      expected: '+919845012345',
    },
    {
      name: 'international phone without default country',
      type: 'phone',
      raw: '+1 (415) 555-2671',
      expected: '+14155552671',
    },
    {
      name: 'national phone without default country',
      type: 'phone',
      raw: '98450 12345',
      expected: undefined,
    },
    {
      name: 'phone of the right length but unallocated',
      type: 'phone',
      raw: '+91 11111 11111',
      expected: undefined,
    },
    { name: 'phone inside free text', type: 'phone', raw: 'call +14155552671', expected: undefined },
    { name: 'not a phone', type: 'phone', raw: 'abc', rules: IN, expected: undefined },
    { name: 'whatsapp number', type: 'whatsapp', raw: '+91 98450-12345', expected: '+919845012345' },
    { name: 'whatsapp wa_id without +', type: 'whatsapp', raw: '919845012345', expected: '+919845012345' },
    { name: 'user_id keeps case, trimmed', type: 'user_id', raw: ' AbC-12 ', expected: 'AbC-12' },
    { name: 'numeric user_id', type: 'user_id', raw: 12345, expected: '12345' },
    { name: 'anonymous_id kept as-is', type: 'anonymous_id', raw: 'Dev-XyZ', expected: 'Dev-XyZ' },
    { name: 'custom type kept as-is', type: 'hubspot_id', raw: ' HS-01 ', expected: 'HS-01' },
    { name: 'NaN', type: 'user_id', raw: Number.NaN, expected: undefined },
    { name: 'boolean', type: 'user_id', raw: true, expected: undefined },
    { name: 'object', type: 'user_id', raw: { id: 'x' }, expected: undefined },
    { name: 'undefined', type: 'user_id', raw: undefined, expected: undefined },
    { name: 'empty', type: 'user_id', raw: '   ', expected: undefined },
    { name: 'blocked word, any case', type: 'user_id', raw: ' NULL ', expected: undefined },
    { name: 'blocked number', type: 'user_id', raw: 0, expected: undefined },
    {
      name: 'blocked zero uuid',
      type: 'anonymous_id',
      raw: '00000000-0000-0000-0000-000000000000',
      expected: undefined,
    },
    { name: '256 characters', type: 'user_id', raw: 'x'.repeat(256), expected: 'x'.repeat(256) },
    { name: '257 characters', type: 'user_id', raw: 'x'.repeat(257), expected: undefined },
    {
      name: 'workspace blocked values',
      type: 'user_id',
      raw: 'guest',
      rules: { ...DEFAULT_IDENTITY_RULES, blockedValues: ['Guest'] },
      expected: undefined,
    },
    {
      name: 'built-in values are allowed when the workspace replaces the list',
      type: 'user_id',
      raw: 'null',
      rules: { ...DEFAULT_IDENTITY_RULES, blockedValues: [] },
      expected: 'null',
    },
  ];

  it.each(cases)('$name', ({ type, raw, rules, expected }) => {
    const identifier = normalizeIdentifier({ type, raw, rules: rules ?? DEFAULT_IDENTITY_RULES });
    expect(identifier?.value).toBe(expected);
    if (expected !== undefined) expect(identifier?.type).toBe(type);
  });

  it('normalizes the type to lower snake case', () => {
    expect(normalizeIdentifier({ type: 'userId', raw: 'U1', rules: DEFAULT_IDENTITY_RULES })).toEqual({
      type: 'user_id',
      value: 'U1',
    });
    expect(normalizeIdentifier({ type: ' ', raw: 'U1', rules: DEFAULT_IDENTITY_RULES })).toBeUndefined();
  });

  it('reads a type the rules name in any case as that type, so WhatsApp is whatsapp', () => {
    const rules = { ...DEFAULT_IDENTITY_RULES, defaultCountry: 'IN' };
    expect(normalizeIdentifier({ type: 'WhatsApp', raw: '+91 98450 12345', rules })).toEqual({
      type: 'whatsapp',
      value: '+919845012345',
    });
    expect(normalizeIdentifier({ type: 'EMAIL', raw: 'A@B.com', rules })).toEqual({
      type: 'email',
      value: 'a@b.com',
    });
    expect(normalizeIdentifier({ type: 'HubSpotId', raw: '42', rules })?.type).toBe('hub_spot_id');
  });
});

describe('normalizeIdentifierType', () => {
  it.each([
    ['user_id', 'user_id'],
    ['userId', 'user_id'],
    ['anonymousId', 'anonymous_id'],
    ['userID', 'user_id'],
    ['HubSpot ID', 'hub_spot_id'],
    ['hubspot-id', 'hubspot_id'],
    [' Email ', 'email'],
    ['ga4ClientId', 'ga4_client_id'],
    ['--', undefined],
  ])('%s → %s', (type, expected) => {
    expect(normalizeIdentifierType(type)).toBe(expected);
  });
});
