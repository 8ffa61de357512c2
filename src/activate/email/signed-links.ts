import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Clock, systemClock } from '../../clock.ts';
import { type OutboundMessage, PROVIDER_CHANNELS, type ProviderChannel } from '../channel.ts';
import { decodeEntities } from './html-text.ts';

const DAY_MS = 86_400_000;

/** How a signed link's key, address and lifetime are set. */
export interface SignedLinkOptions {
  /** The HMAC-SHA256 key that signs new tokens; keep it secret and at least 32 random bytes. */
  secret: string;
  /** Keys that signed earlier tokens, still accepted when verifying (key rotation). */
  previousSecrets?: string[];
  /** Where Tailor's link routes are served, such as `https://t.example.com` (no trailing path). */
  baseUrl: string;
  /** How long a token stays valid, in ms: 90 days unless set. */
  ttlMs?: number;
  clock?: Clock;
}

/** What an unsubscribe token proves: who asked to stop receiving which channel, from which message. */
export interface UnsubscribeClaims {
  profileId: string;
  messageId: string;
  channel: ProviderChannel;
  /** The address the message went to, so the feedback event can be addressed by identifier. */
  address: string;
  /** When the token stops being accepted (epoch ms). */
  expiresAt: number;
}

/** What a click token proves: who clicked which link of which message. */
export interface ClickClaims extends UnsubscribeClaims {
  /** The link's original target. */
  url: string;
}

/** Why a token was refused. */
export type TokenRejection = 'malformed' | 'bad-signature' | 'expired';

/** The answer to verifying a token: its claims, or why it was refused. */
export type TokenCheck<T> = { ok: true; claims: T } | { ok: false; reason: TokenRejection };

/** Signed unsubscribe links for the `List-Unsubscribe` header and the message body. */
export interface UnsubscribeLinks {
  /** The one-click (RFC 8058) HTTPS link for a message: `<baseUrl>/v1/u/<token>`. */
  url(message: OutboundMessage): string;
  /** The `mailto:` alternative, carrying the same token in the subject. */
  mailto(message: OutboundMessage): string;
  verify(token: string): TokenCheck<UnsubscribeClaims>;
}

/** Click tracking: rewrites a message's links to signed redirects, and reads them back. */
export interface ClickTracker {
  /** The HTML with every `http(s)` link of an `<a>` tag pointing at `<baseUrl>/v1/c/<token>`. */
  rewrite(html: string, message: OutboundMessage): string;
  verify(token: string): TokenCheck<ClickClaims>;
}

/** What a token's payload holds; short keys keep URLs short. `k` separates unsubscribe from click tokens. */
interface Payload {
  k: 'u' | 'c';
  p: string;
  m: string;
  ch: ProviderChannel;
  a: string;
  e: number;
  u?: string;
}

const CHANNELS: readonly ProviderChannel[] = PROVIDER_CHANNELS;

/** Signs and reads `<payload>.<signature>` tokens, both base64url, for one kind of link. */
class TokenCodec {
  private readonly secret: string;
  private readonly keys: string[];
  private readonly ttlMs: number;
  private readonly clock: Clock;

  constructor(options: SignedLinkOptions) {
    if (options.secret.length < 16) throw new Error('A link-signing secret needs at least 16 characters');
    this.secret = options.secret;
    this.keys = [options.secret, ...(options.previousSecrets ?? [])];
    this.ttlMs = options.ttlMs ?? 90 * DAY_MS;
    this.clock = options.clock ?? systemClock;
  }

  sign(kind: Payload['k'], message: OutboundMessage, url?: string): string {
    const payload: Payload = {
      k: kind,
      p: message.profileId,
      m: message.id,
      ch: message.channel,
      a: message.to,
      e: this.clock() + this.ttlMs,
    };
    if (url !== undefined) payload.u = url;
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${mac(this.secret, body).toString('base64url')}`;
  }

  read(kind: Payload['k'], token: string): TokenCheck<Payload> {
    const parts = token.split('.');
    const [body, signature] = parts;
    if (parts.length !== 2 || body === undefined || signature === undefined) return refuse('malformed');
    if (!BASE64URL.test(body) || !BASE64URL.test(signature)) return refuse('malformed');
    const given = Buffer.from(signature);
    const valid = this.keys.some((key) => {
      const expected = Buffer.from(mac(key, body).toString('base64url'));
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
    if (!valid) return refuse('bad-signature');
    const payload = parsePayload(Buffer.from(body, 'base64url').toString('utf8'));
    if (payload === undefined || payload.k !== kind) return refuse('malformed');
    if (this.clock() >= payload.e) return refuse('expired');
    return { ok: true, claims: payload };
  }
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The HMAC-SHA256 of a token body, keyed per use so a token of one kind never verifies as another. */
function mac(key: string, body: string): Buffer {
  return createHmac('sha256', key).update(`tailor-link.${body}`).digest();
}

function refuse(reason: TokenRejection): { ok: false; reason: TokenRejection } {
  return { ok: false, reason };
}

/** Reads a signed payload back; undefined when it is not the shape Tailor signs. */
function parsePayload(json: string): Payload | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const { k, p, m, ch, a, e, u } = record;
  if (k !== 'u' && k !== 'c') return undefined;
  if (typeof p !== 'string' || typeof m !== 'string' || typeof a !== 'string') return undefined;
  if (typeof e !== 'number' || !Number.isFinite(e)) return undefined;
  const channel = CHANNELS.find((known) => known === ch);
  if (channel === undefined) return undefined;
  if (u !== undefined && typeof u !== 'string') return undefined;
  const payload: Payload = { k, p, m, ch: channel, a, e };
  if (u !== undefined) payload.u = u;
  return payload;
}

function trimBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

/** How unsubscribe links are signed, and the mailbox that takes `mailto:` unsubscribes. */
export interface UnsubscribeLinkOptions extends SignedLinkOptions {
  /** The address `mailto:` unsubscribes go to, such as `unsubscribe@example.com`. */
  mailbox: string;
}

/** Creates signed unsubscribe links: `<baseUrl>/v1/u/<token>` and `mailto:<mailbox>?subject=unsubscribe%20<token>`. */
export function createUnsubscribeLinks(options: UnsubscribeLinkOptions): UnsubscribeLinks {
  const codec = new TokenCodec(options);
  const base = trimBase(options.baseUrl);
  return {
    url: (message) => `${base}/v1/u/${codec.sign('u', message)}`,
    mailto: (message) =>
      `mailto:${options.mailbox}?subject=${encodeURIComponent(`unsubscribe ${codec.sign('u', message)}`)}`,
    verify: (token) => {
      const check = codec.read('u', token);
      return check.ok ? { ok: true, claims: unsubscribeClaims(check.claims) } : check;
    },
  };
}

/** The token in the subject of a `mailto:` unsubscribe (`unsubscribe <token>`, any `Re:` prefix allowed). */
export function unsubscribeTokenFromSubject(subject: string): string | undefined {
  return /\bunsubscribe\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/i.exec(subject.trim())?.[1];
}

function unsubscribeClaims(payload: Payload): UnsubscribeClaims {
  return {
    profileId: payload.p,
    messageId: payload.m,
    channel: payload.ch,
    address: payload.a,
    expiresAt: payload.e,
  };
}

/** How click tokens are signed, and which links are left as they are. */
export interface ClickTrackerOptions extends SignedLinkOptions {
  /** Links never rewritten besides those under `baseUrl` (which covers unsubscribe links). */
  exclude?: (url: string) => boolean;
}

/**
 * Creates click tracking: every `href` of an `<a>` tag whose value is an absolute `http(s)` URL
 * becomes `<baseUrl>/v1/c/<token>`, the token signing the original URL. `mailto:`, `tel:`, `#`
 * and relative links, links under `baseUrl` (unsubscribe links, links already tracked) and
 * links `exclude` picks are left alone.
 */
export function createClickTracker(options: ClickTrackerOptions): ClickTracker {
  const codec = new TokenCodec(options);
  const base = trimBase(options.baseUrl);
  const tracked = (url: string): boolean =>
    /^https?:\/\//i.test(url) && !url.startsWith(`${base}/`) && !(options.exclude?.(url) ?? false);
  return {
    rewrite: (html, message) =>
      html.replace(ANCHOR_TAG, (tag) =>
        tag.replace(
          HREF_ATTRIBUTE,
          (attribute, prefix: string, double?: string, single?: string, bare?: string) => {
            const url = decodeEntities((double ?? single ?? bare ?? '').trim());
            if (!tracked(url)) return attribute;
            return `${prefix}"${base}/v1/c/${codec.sign('c', message, url)}"`;
          },
        ),
      ),
    verify: (token) => {
      const check = codec.read('c', token);
      if (!check.ok) return check;
      const url = check.claims.u;
      if (url === undefined) return refuse('malformed');
      return { ok: true, claims: { ...unsubscribeClaims(check.claims), url } };
    },
  };
}

/** An `<a ...>` start tag; quoted attribute values may hold `>`. */
const ANCHOR_TAG = /<a\b(?:[^>"']|"[^"]*"|'[^']*')*>/gi;
/** The `href` attribute of a start tag and its double-quoted, single-quoted or bare value. */
const HREF_ATTRIBUTE = /(\shref\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/i;
