import { randomInt } from 'node:crypto';
import type { ChannelAdapter, OutboundMessage, SendOutcome } from '../channel.ts';
import type { DestinationGuard } from '../outbound/destination-guard.ts';
import { isJsonObject } from '../whatsapp/whatsapp-wire.ts';
import { audienceChangeOf, NOT_AN_AUDIENCE_CHANGE } from './ads-sends.ts';
import { classifyGraphAdsError } from './graph-ads-error.ts';
import { matchIdentifiers, metaEmail, metaPhone, sha256Hex } from './match-keys.ts';
import { type MatchReport, type MatchReporting, REPORT_TIMEOUT_MS } from './match-report.ts';
import { callPlatform, callSetupOf, redactOutcome } from './provider-call.ts';
import { SendBatcher } from './send-batcher.ts';

/** The Marketing API version Tailor speaks. */
export const META_MARKETING_API_VERSION = 'v21.0';

/** Meta takes at most 10,000 people in one `/{audience_id}/users` request. */
export const META_MAX_USERS_PER_REQUEST = 10_000;

/** The identifiers Tailor sends, in this order in each row of `data`. */
export const META_SCHEMA = ['EMAIL', 'PHONE'] as const;

/** Where the adapter sends and with what credentials. */
export interface MetaAudiencesAdapterOptions {
  /** The Graph API root with its version; default `https://graph.facebook.com/v21.0`. */
  baseUrl?: string;
  /** A system-user access token with `ads_management`. Never logged nor put in a reason. */
  accessToken: string;
  fetch?: typeof fetch;
  /** How long one request may take before its sends are retried; default 30 s. */
  timeoutMs?: number;
  /** How long a send waits for others to fill its batch (ms); default 50. */
  batchWindowMs?: number;
  /** The most people in one request; default (and at most) 10,000. */
  maxBatch?: number;
  guard?: DestinationGuard;
}

/** One member change, hashed: its row of `data`. */
interface Row {
  id: string;
  hashes: [string, string];
}

/**
 * Meta Custom Audiences over the Marketing API: a send `{ op: 'add' | 'remove', list, email?,
 * phone? }` adds the person to, or removes them from, the customer-file Custom Audience `list`
 * with `POST` or `DELETE {baseUrl}/{list}/users`. The sends of one audience and op are batched
 * (up to 10,000, Meta's limit) into one request whose `payload` has the multi-key `schema`
 * `["EMAIL", "PHONE"]` and one row of SHA-256 hashes per person, normalized as Meta specifies
 * (`metaEmail`, `metaPhone`; a missing key is an empty string), and a `session` of its own
 * (`session_id`, `batch_seq` 1, `last_batch_flag`, `estimated_num_total`). A person whose
 * identifiers Meta reports invalid (`invalid_entry_samples`) is `failed` and unreachable; the
 * others are `sent` under the session id. Errors are classified as `classifyGraphAdsError` says.
 */
export function createMetaAudiencesAdapter(
  options: MetaAudiencesAdapterOptions,
): ChannelAdapter & MatchReporting {
  const baseUrl = (options.baseUrl ?? `https://graph.facebook.com/${META_MARKETING_API_VERSION}`).replace(
    /\/+$/,
    '',
  );
  const setup = callSetupOf(options, 'Meta Marketing API');
  const batcher = new SendBatcher<Row>({
    maxSize: Math.min(options.maxBatch ?? META_MAX_USERS_PER_REQUEST, META_MAX_USERS_PER_REQUEST),
    windowMs: options.batchWindowMs ?? 50,
    flush: async (key, rows) => {
      const [list = '', op] = key.split('\u0000');
      const outcomes = await upload({ list, method: op === 'remove' ? 'DELETE' : 'POST', rows });
      return Array.isArray(outcomes)
        ? outcomes.map((outcome) => redactOutcome(outcome, [options.accessToken]))
        : redactOutcome(outcomes, [options.accessToken]);
    },
  });

  async function upload(input: {
    list: string;
    method: 'POST' | 'DELETE';
    rows: Row[];
  }): Promise<SendOutcome | SendOutcome[]> {
    const { list, method, rows } = input;
    const sessionId = randomInt(1, 2 ** 47);
    const form = new URLSearchParams({
      payload: JSON.stringify({ schema: META_SCHEMA, data: rows.map((row) => row.hashes) }),
      session: JSON.stringify({
        session_id: sessionId,
        batch_seq: 1,
        last_batch_flag: true,
        estimated_num_total: rows.length,
      }),
    });
    const answer = await callPlatform(setup, {
      url: `${baseUrl}/${encodeURIComponent(list)}/users`,
      method,
      headers: {
        authorization: `Bearer ${options.accessToken}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: form.toString(),
    });
    if (answer.kind === 'outcome') return answer.outcome;
    if (!answer.ok) return classifyGraphAdsError({ ...answer, provider: setup.provider });
    const body = isJsonObject(answer.body) ? answer.body : {};
    const session = typeof body.session_id === 'string' || typeof body.session_id === 'number';
    if (!session)
      return {
        kind: 'failed',
        reason: `Meta Marketing API answered HTTP ${answer.status} without a session id`,
        unreachable: false,
      };
    const invalid = isJsonObject(body.invalid_entry_samples) ? body.invalid_entry_samples : {};
    return rows.map((row): SendOutcome => {
      const sample = row.hashes.find((hash) => hash !== '' && hash in invalid);
      if (sample === undefined)
        return { kind: 'sent', providerMessageId: `session:${String(body.session_id)}` };
      const why = invalid[sample];
      return {
        kind: 'failed',
        reason: `Meta could not use this person's identifiers${typeof why === 'string' ? `: ${why}` : ''}`,
        unreachable: true,
      };
    });
  }

  return {
    channel: 'meta_audiences',
    async matchReport(list: string): Promise<MatchReport | undefined> {
      const fields = 'approximate_count_lower_bound,approximate_count_upper_bound';
      const answer = await callPlatform(
        { ...setup, timeoutMs: REPORT_TIMEOUT_MS },
        {
          url: `${baseUrl}/${encodeURIComponent(list)}?fields=${fields}`,
          method: 'GET',
          headers: { authorization: `Bearer ${options.accessToken}` },
        },
      );
      if (answer.kind !== 'answer' || !answer.ok || !isJsonObject(answer.body)) return undefined;
      const { approximate_count_lower_bound: lower, approximate_count_upper_bound: upper } = answer.body;
      if (typeof lower !== 'number' || typeof upper !== 'number') return undefined;
      return { approximateCount: { lower, upper } };
    },
    async send(message: OutboundMessage): Promise<SendOutcome> {
      const change = audienceChangeOf(message.content);
      if (change === undefined) return NOT_AN_AUDIENCE_CHANGE;
      const { op, list } = change;
      const { email, phone } = matchIdentifiers(message.content);
      const normalizedEmail = email === undefined ? undefined : metaEmail(email);
      const normalizedPhone = phone === undefined ? undefined : metaPhone(phone);
      if (normalizedEmail === undefined && normalizedPhone === undefined)
        return { kind: 'failed', reason: 'no email or phone number Meta can match', unreachable: true };
      const hashes: [string, string] = [
        normalizedEmail === undefined ? '' : sha256Hex(normalizedEmail),
        normalizedPhone === undefined ? '' : sha256Hex(normalizedPhone),
      ];
      return batcher.add(`${list}\u0000${op}`, { id: message.id, hashes });
    },
  };
}
