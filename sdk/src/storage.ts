/**
 * Where the SDK keeps who the visitor is, under the names analytics.js (`@segment/analytics-next`)
 * uses, so a site switching from one to the other in either direction keeps its visitors: the
 * ids in a first-party cookie and in localStorage (`ajs_anonymous_id`, `ajs_user_id`,
 * `ajs_group_id`), traits in localStorage only (`ajs_user_traits`, `ajs_group_properties`).
 * analytics.js writes the cookie raw and localStorage as JSON; both are read either way.
 */
export const KEYS = {
  anonymousId: 'ajs_anonymous_id',
  userId: 'ajs_user_id',
  userTraits: 'ajs_user_traits',
  groupId: 'ajs_group_id',
  groupTraits: 'ajs_group_properties',
} as const;

/** The cookie attributes, as analytics.js's `cookie` load option has them. */
export interface CookieOptions {
  /** Default: the page's host. */
  domain?: string;
  /** Seconds; default one year, as analytics.js. */
  maxage?: number;
  path?: string;
  sameSite?: string;
  secure?: boolean;
}

/** A small key/value store over localStorage, forgiving browsers that refuse it (private mode). */
export const local = {
  get(key: string): unknown {
    try {
      const raw = localStorage.getItem(key);
      return raw === null ? null : parse(raw);
    } catch {
      return null;
    }
  },
  set(key: string, value: unknown): void {
    try {
      if (value === null || value === undefined) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch {
      // Storage full or refused: the value lives in memory for this page only.
    }
  },
};

function parse(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Reads a cookie, JSON-decoded when it is JSON (older analytics.js wrote `"id"`), else as is. */
export function getCookie(name: string): unknown {
  for (const part of document.cookie.split('; ')) {
    const at = part.indexOf('=');
    if (part.slice(0, at) === name) return parse(decodeURIComponent(part.slice(at + 1)));
  }
  return null;
}

/** Writes (or with `null`, removes) a cookie; strings are written raw, as analytics.js does. */
export function setCookie(name: string, value: string | null, options: CookieOptions = {}): void {
  const attrs = [
    `path=${options.path ?? '/'}`,
    `max-age=${value === null ? 0 : (options.maxage ?? 31_536_000)}`,
    `SameSite=${options.sameSite ?? 'Lax'}`,
  ];
  if (options.domain !== undefined) attrs.push(`domain=${options.domain}`);
  if (options.secure === true) attrs.push('Secure');
  // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is async and missing from Safari and Firefox; ids must be read and written at once, as analytics.js does.
  document.cookie = `${name}=${encodeURIComponent(value ?? '')}; ${attrs.join('; ')}`;
}

/** An id kept in both the cookie and localStorage; the cookie wins, localStorage restores it. */
export function readId(key: string): string | null {
  const value = getCookie(key) ?? local.get(key);
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Saves an id in both places (or removes it from both with `null`). */
export function writeId(key: string, value: string | null, cookie?: CookieOptions): void {
  setCookie(key, value, cookie);
  local.set(key, value);
}
