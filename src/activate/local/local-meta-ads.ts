/**
 * A local Meta Marketing API for tests, benchmarks and the demo: an HTTP server on a free port
 * speaking the wire format of the two ads endpoints Tailor calls.
 *
 * - `POST` / `DELETE /v21.0/{audience_id}/users` (Custom Audiences): the Bearer token (or an
 *   `access_token` parameter), a form or JSON body with `payload` `{ schema, data }` and an
 *   optional `session`; at most 10,000 rows; each value a SHA-256 hex hash or empty. It answers
 *   `{ audience_id, session_id, num_received, num_invalid_entries, invalid_entry_samples }`, adds
 *   or removes the rows' people, and records each change. `GET /v21.0/{audience_id}` answers
 *   `approximate_count_lower_bound` / `_upper_bound`: the members it matched to people it knows.
 * - `POST /v21.0/{pixel_id}/events` (Conversions API): `{ data: [...], test_event_code? }`,
 *   answering `{ events_received, messages, fbtrace_id }`, or (told to, `invalid-recipient`) 400
 *   code 100, subcode 2804050: not enough customer information to match.
 *
 * Errors are Graph errors (`{ error: { message, type, code, error_subcode?, fbtrace_id } }`):
 * 190 for a bad token, 100 for a bad parameter or an unknown object, 80003 with HTTP 429 and
 * `Retry-After` when throttled, 2 (transient) with HTTP 500.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { text as readText } from 'node:stream/consumers';
import { metaEmail, metaPhone, sha256Hex } from '../ads/match-keys.ts';
import { isJsonObject } from '../whatsapp/whatsapp-wire.ts';
import { type LocalProvider, type ProviderFault, serveLocally } from './local-provider.ts';

/** One person's change the local API accepted, or one conversion event it received. */
export interface LocalMetaChange {
  /** The person's email or phone as the server knows them (`knownPeople`), else the hash it got. */
  to: string;
  /** `added to <audience name>`, `removed from <audience name>`, or a conversion's `event_name`. */
  text: string;
  idempotencyKey?: string;
  /** When the request carrying it arrived (`performance.now()`), for latency figures. */
  at: number;
}

/** A running local Marketing API. */
export interface LocalMetaAds extends LocalProvider {
  /** The API root to give the channel as `base_url`: `http://127.0.0.1:<port>/v21.0`. */
  readonly baseUrl: string;
  readonly accessToken: string;
  readonly pixelId: string;
  /** Creates a customer-file Custom Audience (with `id`, or a new one); returns its id. */
  createAudience(name: string, id?: string): string;
  /** People it can match (its "Meta users"): their email addresses or phone numbers. */
  knownPeople(addresses: readonly string[]): void;
  /** An audience's members now, each by the hash that identified them (the email's, else the phone's). */
  members(audienceId: string): Set<string>;
  accepted(): LocalMetaChange[];
  /** The conversion events received, as sent. */
  events(): Record<string, unknown>[];
  /** Every request answered: method, path, status and the number of rows or events it carried. */
  requests(): { method: string; path: string; status: number; rows: number }[];
  /** Answers the next `count` requests with a 429 throttling error and `Retry-After` (seconds). */
  throttle(count: number, retryAfterSeconds: number): void;
}

const MAX_ROWS = 10_000;
const MAX_EVENTS = 1_000;
/** The Conversions API's subcode for events whose user data Meta cannot match anyone by. */
const INSUFFICIENT_CUSTOMER_INFORMATION = 2804050;
const KNOWN_KEYS = new Set([
  'EMAIL',
  'PHONE',
  'EMAIL_SHA256',
  'PHONE_SHA256',
  'EXTERN_ID',
  'FN',
  'LN',
  'COUNTRY',
]);
const HASH = /^[0-9a-f]{64}$/;

/** Starts a local Marketing API on 127.0.0.1 and a free port (or `port`). */
export async function startLocalMetaAds(
  options: { accessToken?: string; pixelId?: string; port?: number } = {},
): Promise<LocalMetaAds> {
  const accessToken = options.accessToken ?? `EAAlocal${randomBytes(12).toString('hex')}`;
  const pixelId = options.pixelId ?? '1234567890123456';
  const audiences = new Map<string, { name: string; members: Set<string> }>();
  const directory = new Map<string, string>();
  const accepted: LocalMetaChange[] = [];
  const received: Record<string, unknown>[] = [];
  const answered: { method: string; path: string; status: number; rows: number }[] = [];
  let fault: ProviderFault | undefined;
  let throttled = 0;
  let retryAfterSeconds = 1;
  // Audience ids are past 2^53: counted as a bigint, or two audiences would share one.
  let nextAudience = 23850000000000000n;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const arrived = performance.now();
    const raw = await readText(request);
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    let rows = 0;
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      answered.push({ method, path: url.pathname, status, rows });
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
    const params = readParams(request.headers['content-type'], raw, url);
    const token = request.headers.authorization?.replace(/^(Bearer|OAuth) /, '') ?? params.access_token;
    if (token !== accessToken) {
      answer(401, graphError(190, 'Invalid OAuth access token - Cannot parse access token'));
      return;
    }
    const match = /^\/v\d+\.\d+\/([^/]+)(?:\/(users|events))?$/.exec(url.pathname);
    const object = decodeURIComponent(match?.[1] ?? '');
    const edge = match?.[2];
    if (match === null) {
      answer(404, graphError(100, `Unknown path components: ${url.pathname}`));
      return;
    }
    if (throttled > 0 || fault?.kind === 'rate-limited' || fault?.kind === 'server-error') {
      const current = fault;
      if (throttled > 0) throttled -= 1;
      else fault = undefined;
      if (current?.kind === 'server-error') {
        answer(500, {
          error: { ...graphError(2, 'Service temporarily unavailable').error, is_transient: true },
        });
        return;
      }
      const seconds = current?.kind === 'rate-limited' ? current.retryAfterSeconds : retryAfterSeconds;
      const error = graphError(
        80003,
        'There have been too many calls to this ad-account. Wait a bit and try again.',
      );
      answer(429, error, { 'retry-after': String(seconds) });
      return;
    }
    if (edge === 'events' && method === 'POST') {
      if (object !== pixelId) {
        answer(
          400,
          graphError(100, `Unsupported post request. Object with ID '${object}' does not exist`, 33),
        );
        return;
      }
      if (fault?.kind === 'invalid-recipient') {
        fault = undefined;
        const error = graphError(100, 'Invalid parameter', INSUFFICIENT_CUSTOMER_INFORMATION);
        answer(400, {
          error: {
            ...error.error,
            error_user_title: 'Insufficient customer information',
            error_user_msg:
              "The event doesn't have sufficient customer information parameters: add user_data that Meta can match.",
          },
        });
        return;
      }
      const data = params.data;
      if (!Array.isArray(data) || data.length === 0 || data.length > MAX_EVENTS) {
        answer(400, graphError(100, `Invalid parameter: data must hold 1 to ${MAX_EVENTS} events`));
        return;
      }
      rows = data.length;
      for (const event of data) {
        if (!isJsonObject(event)) continue;
        received.push(event);
        const user = isJsonObject(event.user_data) ? event.user_data : {};
        const em = Array.isArray(user.em) ? user.em[0] : user.em;
        accepted.push({
          to: (typeof em === 'string' && directory.get(em)) || String(em ?? ''),
          text: String(event.event_name ?? ''),
          ...(typeof event.event_id === 'string' ? { idempotencyKey: event.event_id } : {}),
          at: arrived,
        });
      }
      answer(200, { events_received: data.length, messages: [], fbtrace_id: trace() });
      return;
    }
    const audience = audiences.get(object);
    if (audience === undefined) {
      answer(400, graphError(100, `Unsupported request. Object with ID '${object}' does not exist`, 33));
      return;
    }
    if (edge === undefined && method === 'GET') {
      let matched = 0;
      for (const hash of audience.members) if (directory.has(hash)) matched += 1;
      answer(200, {
        id: object,
        approximate_count_lower_bound: matched,
        approximate_count_upper_bound: matched,
      });
      return;
    }
    if (edge !== 'users' || (method !== 'POST' && method !== 'DELETE')) {
      answer(400, graphError(100, `Unsupported ${method} request on ${url.pathname}`));
      return;
    }
    const payload = params.payload;
    const schema = isJsonObject(payload) ? payload.schema : undefined;
    const keys = typeof schema === 'string' ? [schema] : Array.isArray(schema) ? schema : [];
    const data = isJsonObject(payload) ? payload.data : undefined;
    if (
      keys.length === 0 ||
      !keys.every((key) => typeof key === 'string' && KNOWN_KEYS.has(key)) ||
      !Array.isArray(data)
    ) {
      answer(400, graphError(100, '(#100) Invalid parameter: payload needs a schema and data'));
      return;
    }
    if (data.length > MAX_ROWS) {
      answer(400, graphError(100, `(#100) Too many users in one request: at most ${MAX_ROWS}`));
      return;
    }
    rows = data.length;
    const invalidAll = fault?.kind === 'invalid-recipient';
    if (invalidAll) fault = undefined;
    const samples: Record<string, string> = {};
    let invalid = 0;
    const emailAt = keys.indexOf('EMAIL');
    const phoneAt = keys.indexOf('PHONE');
    for (const row of data) {
      const values = keys.length === 1 && typeof row === 'string' ? [row] : row;
      const ok =
        Array.isArray(values) &&
        values.length === keys.length &&
        values.every((value) => value === '' || (typeof value === 'string' && HASH.test(value))) &&
        values.some((value) => value !== '');
      if (!ok || invalidAll) {
        invalid += 1;
        const first = Array.isArray(values)
          ? values.find((value) => typeof value === 'string' && value !== '')
          : undefined;
        if (typeof first === 'string' && Object.keys(samples).length < 100) samples[first] = 'Invalid format';
        continue;
      }
      const email = emailAt < 0 ? '' : String(values[emailAt]);
      const phone = phoneAt < 0 ? '' : String(values[phoneAt]);
      const key = email !== '' ? email : phone;
      if (method === 'POST') audience.members.add(key);
      else audience.members.delete(key);
      accepted.push({
        to: directory.get(email) ?? directory.get(phone) ?? key,
        text: `${method === 'POST' ? 'added to' : 'removed from'} ${audience.name}`,
        at: arrived,
      });
    }
    const session = params.session;
    const sessionId =
      isJsonObject(session) && session.session_id !== undefined ? String(session.session_id) : trace();
    answer(200, {
      audience_id: object,
      session_id: sessionId,
      num_received: data.length,
      num_invalid_entries: invalid,
      invalid_entry_samples: samples,
    });
  };

  const server = await serveLocally(handle, options.port);
  const port = server.port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v21.0`,
    accessToken,
    pixelId,
    createAudience(name, given) {
      nextAudience += 1n;
      const id = given ?? String(nextAudience);
      audiences.set(id, { name, members: new Set() });
      return id;
    },
    knownPeople(addresses) {
      for (const address of addresses) {
        const normalized = address.includes('@') ? metaEmail(address) : metaPhone(address);
        if (normalized !== undefined) directory.set(sha256Hex(normalized), address);
      }
    },
    members: (audienceId) => new Set(audiences.get(audienceId)?.members ?? []),
    accepted: () => [...accepted],
    events: () => [...received],
    requests: () => [...answered],
    failNext(next) {
      fault = next;
    },
    throttle(count, seconds) {
      throttled = count;
      retryAfterSeconds = seconds;
    },
    close: server.close,
  };
}

/** The request's parameters: a form's fields (JSON values parsed) or a JSON body, plus the query. */
function readParams(contentType: string | undefined, raw: string, url: URL): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [key, value] of url.searchParams) params[key] = value;
  if (contentType?.startsWith('application/json')) {
    try {
      const body: unknown = JSON.parse(raw);
      if (isJsonObject(body)) Object.assign(params, body);
    } catch {
      // An unreadable body is a request without parameters: the checks below answer it.
    }
    return params;
  }
  for (const [key, value] of new URLSearchParams(raw)) {
    try {
      params[key] = JSON.parse(value);
    } catch {
      params[key] = value;
    }
  }
  return params;
}

function graphError(code: number, message: string, subcode?: number) {
  return {
    error: {
      message,
      type: code === 190 ? 'OAuthException' : 'GraphMethodException',
      code,
      ...(subcode === undefined ? {} : { error_subcode: subcode }),
      fbtrace_id: trace(),
    },
  };
}

function trace(): string {
  return `A${randomBytes(11).toString('base64url')}`;
}
