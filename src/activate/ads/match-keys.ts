import { createHash } from 'node:crypto';

/** SHA-256 of UTF-8 text as lowercase hex, the form Meta and Google both take hashed identifiers in. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * An email as Meta normalizes it before hashing (Custom Audiences and the Conversions API):
 * leading and trailing whitespace removed, lower-cased. Undefined when nothing like an address is left.
 */
export function metaEmail(email: string): string | undefined {
  const normalized = email.trim().toLowerCase();
  return normalized.includes('@') ? normalized : undefined;
}

/**
 * A phone number as Meta normalizes it before hashing: digits only, with the country code and
 * no leading zeros (`+1 (650) 555-1212` → `16505551212`, `0044 844…` → `44844…`). Undefined
 * when fewer than 7 digits are left.
 */
export function metaPhone(phone: string): string | undefined {
  const digits = phone.replace(/\D/g, '').replace(/^0+/, '');
  return digits.length >= 7 ? digits : undefined;
}

/**
 * An email as Google Ads normalizes it before hashing (Customer Match, enhanced conversions):
 * whitespace trimmed, lower-cased, and for `gmail.com` and `googlemail.com` addresses every `.`
 * before the `@` removed. Undefined when nothing like an address is left.
 */
export function googleEmail(email: string): string | undefined {
  const normalized = email.trim().toLowerCase();
  const at = normalized.lastIndexOf('@');
  if (at <= 0) return undefined;
  const domain = normalized.slice(at + 1);
  if (domain !== 'gmail.com' && domain !== 'googlemail.com') return normalized;
  return `${normalized.slice(0, at).replace(/\./g, '')}@${domain}`;
}

/**
 * A phone number as Google Ads normalizes it before hashing: E.164, a `+`, the country code and
 * the number, no spaces or punctuation (`+1 800 555 0100` → `+18005550100`). Tailor keeps phones
 * in E.164 already; anything else that is not a number after its `+` is undefined.
 */
export function googlePhone(phone: string): string | undefined {
  const digits = phone.replace(/[\s\-().]/g, '');
  return /^\+[1-9]\d{6,14}$/.test(digits) ? digits : undefined;
}

/** A person's identifiers an ad platform matches on, as Tailor holds them (email lower-cased, phone E.164). */
export interface MatchIdentifiers {
  email?: string;
  phone?: string;
}

/** The identifiers of a send's content (`email`, `phone`), read defensively. */
export function matchIdentifiers(content: Record<string, unknown>): MatchIdentifiers {
  const found: MatchIdentifiers = {};
  if (typeof content.email === 'string' && content.email !== '') found.email = content.email;
  if (typeof content.phone === 'string' && content.phone !== '') found.phone = content.phone;
  return found;
}
