// The `max` build validates numbers against each country's real numbering plan (which prefixes
// are allocated, mobile vs fixed line), where the default `min` build only checks lengths and so
// accepts junk such as `+91 11111 11111`. A wrong phone number would fuse two people's profiles,
// so identity pays the extra metadata size (server-side only) for exact validation.
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { Identifier } from './identifier.ts';
import type { IdentityRules } from './identity-rules.ts';

/** Values longer than this are never identifiers (they are payloads, not ids). */
export const MAX_IDENTIFIER_LENGTH = 256;

/** `x@y.z`: something, one `@`, a domain with a dot; no whitespace anywhere. */
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const CANONICAL_TYPE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/**
 * Canonical form of an identifier type: lower snake case, so `userId`, `User ID` and `user_id`
 * are one type (workspace rules name types in lower snake case). Undefined when nothing is left.
 */
export function normalizeIdentifierType(type: string): string | undefined {
  // Built-in types arrive already canonical on every event: skip the regexes for them.
  if (CANONICAL_TYPE.test(type)) return type;
  const snake = type
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
  return snake === '' ? undefined : snake;
}

/**
 * Turns a raw value from an event (or a `type:value` profile reference) into the identifier
 * used as an index key, or undefined when it must not identify anyone: not a string or finite
 * number, empty, longer than 256 characters, blocked by `rules.blockedValues` (case-insensitive),
 * or not a valid email / phone number for those types. Emails are lower-cased, phones and
 * WhatsApp numbers become E.164 (read with `rules.defaultCountry` when written without a country
 * code), every other type keeps its trimmed value with case preserved.
 */
export function normalizeIdentifier(input: {
  type: string;
  raw: unknown;
  rules: IdentityRules;
}): Identifier | undefined {
  const { raw, rules } = input;
  // A type the workspace names, written in another case (`WhatsApp`, `EMAIL`), is that type;
  // anything else is snake-cased (`userId` → `user_id`).
  const lowered = input.type.trim().toLowerCase();
  const type = Object.hasOwn(rules.types, lowered) ? lowered : normalizeIdentifierType(input.type);
  if (type === undefined) return undefined;
  const text =
    typeof raw === 'string' ? raw.trim() : typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : '';
  if (text === '' || text.length > MAX_IDENTIFIER_LENGTH || isBlocked(text, rules)) return undefined;
  const value = normalizeValue(type, text, rules);
  if (value === undefined || isBlocked(value, rules)) return undefined;
  return { type, value };
}

function normalizeValue(type: string, text: string, rules: IdentityRules): string | undefined {
  if (type === 'email') {
    const email = text.toLowerCase();
    return EMAIL_PATTERN.test(email) ? email : undefined;
  }
  if (type === 'phone') return toE164(text, rules.defaultCountry);
  if (type === 'whatsapp') {
    // WhatsApp's own ids (`wa_id`) are international numbers without the `+`.
    return (
      toE164(text, rules.defaultCountry) ?? (/^\d+$/.test(text) ? toE164(`+${text}`, undefined) : undefined)
    );
  }
  return text;
}

/** Parsed phone numbers by country and text: parsing costs ~15 µs and the same numbers recur. */
const E164_CACHE = new Map<string, string | null>();
const E164_CACHE_LIMIT = 50_000;

function toE164(text: string, country: string | undefined): string | undefined {
  const cacheKey = `${country ?? ''}|${text}`;
  const cached = E164_CACHE.get(cacheKey);
  if (cached !== undefined) return cached ?? undefined;
  const parsed = parseE164(text, country);
  if (E164_CACHE.size >= E164_CACHE_LIMIT) E164_CACHE.clear();
  E164_CACHE.set(cacheKey, parsed ?? null);
  return parsed;
}

function parseE164(text: string, country: string | undefined): string | undefined {
  const code = country?.toUpperCase();
  const defaultCountry = code !== undefined && isSupportedCountry(code) ? code : undefined;
  // extract: false — the whole value must be a phone number; never pick one out of free text.
  const phone = parsePhoneNumberFromString(text, { defaultCountry, extract: false });
  return phone?.isValid() ? phone.number : undefined;
}

/** Each rules object's blocked values, trimmed and lower-cased once. */
const BLOCKED = new WeakMap<IdentityRules, Set<string>>();

function isBlocked(value: string, rules: IdentityRules): boolean {
  let blocked = BLOCKED.get(rules);
  if (blocked === undefined) {
    blocked = new Set(rules.blockedValues.map((text) => text.trim().toLowerCase()));
    BLOCKED.set(rules, blocked);
  }
  return blocked.has(value.toLowerCase());
}
