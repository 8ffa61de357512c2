import { describe, expect, it } from 'vitest';
import {
  googleEmail,
  googlePhone,
  metaEmail,
  metaPhone,
  sha256Hex,
} from '../../../src/activate/ads/match-keys.ts';

describe('match keys', () => {
  it('hash as SHA-256 in lowercase hex (FIPS 180-2 test vectors)', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it.each([
    // Meta: trim leading and trailing whitespace, lower-case.
    ['  John_Smith@Gmail.com ', 'john_smith@gmail.com'],
    ['Person@Example.com', 'person@example.com'],
  ])('Meta normalizes the email %j to %j', (raw, normalized) => {
    expect(metaEmail(raw)).toBe(normalized);
  });

  it('Meta hashes person@example.com as the published example does', () => {
    expect(sha256Hex(metaEmail('Person@Example.com') ?? '')).toBe(
      '542d240129883c019e106e3b1b2d3f3cb3537c43c425364de8e951d5a3083345',
    );
  });

  it.each([
    // Meta: digits only, with the country code, no leading zeros or symbols.
    ['+1 (650) 555-1212', '16505551212'],
    ['+44 844 412 4653', '448444124653'],
    ['0044 844 412 4653', '448444124653'],
    ['+919811122334', '919811122334'],
  ])('Meta normalizes the phone %j to %j', (raw, normalized) => {
    expect(metaPhone(raw)).toBe(normalized);
  });

  it('Meta hashes +44 844 412 4653 as the published example does', () => {
    expect(sha256Hex(metaPhone('+44 844 412 4653') ?? '')).toBe(
      'dc008fda46e2e64002cf2f82a4906236282d431c4f75e5b60bfe79fc48546383',
    );
  });

  it.each([
    // Google: trim, lower-case, and no dots before @ for gmail.com and googlemail.com.
    [' Jane.Doe@Gmail.com ', 'janedoe@gmail.com'],
    ['j.d.o.e@googlemail.com', 'jdoe@googlemail.com'],
    ['Jane.Doe@Example.com', 'jane.doe@example.com'],
  ])('Google normalizes the email %j to %j', (raw, normalized) => {
    expect(googleEmail(raw)).toBe(normalized);
  });

  it.each([
    // Google: E.164, a + then the country code and number.
    ['+1 800 555 0100', '+18005550100'],
    ['+91 98111-22334', '+919811122334'],
  ])('Google normalizes the phone %j to %j', (raw, normalized) => {
    expect(googlePhone(raw)).toBe(normalized);
  });

  it('refuses what cannot be an address', () => {
    expect(metaEmail('nobody')).toBeUndefined();
    expect(googleEmail('@example.com')).toBeUndefined();
    expect(metaPhone('12-34')).toBeUndefined();
    expect(googlePhone('98111 22334')).toBeUndefined();
  });
});
