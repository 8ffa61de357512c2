import type { ChannelAdapter, OutboundMessage, SendOutcome } from '../channel.ts';
import type { DestinationGuard } from '../outbound/destination-guard.ts';
import { isJsonObject } from '../whatsapp/whatsapp-wire.ts';
import { audienceChangeOf, NOT_AN_AUDIENCE_CHANGE } from './ads-sends.ts';
import { classifyGoogleAdsError, googleAdsErrors } from './google-ads-error.ts';
import { googleEmail, googlePhone, matchIdentifiers, sha256Hex } from './match-keys.ts';
import { type MatchReport, type MatchReporting, REPORT_TIMEOUT_MS } from './match-report.ts';
import { callPlatform, callSetupOf, redactOutcome } from './provider-call.ts';
import { SendBatcher } from './send-batcher.ts';

/** The Google Ads API version Tailor speaks. */
export const GOOGLE_ADS_API_VERSION = 'v21';

/** Operations Tailor puts in one `addOperations` request, well within Google's limit. */
export const GOOGLE_MAX_OPERATIONS_PER_REQUEST = 10_000;

/** Where the adapter sends and with what credentials. */
export interface GoogleCustomerMatchAdapterOptions {
  /** The API root with its version; default `https://googleads.googleapis.com/v21`. */
  baseUrl?: string;
  /** The advertiser's customer id, digits only. */
  customerId: string;
  loginCustomerId?: string;
  developerToken: string;
  accessToken: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  batchWindowMs?: number;
  maxBatch?: number;
  guard?: DestinationGuard;
}

/** One member change: its `userIdentifiers`. */
interface Row {
  identifiers: ({ hashedEmail: string } | { hashedPhoneNumber: string })[];
}

/** A Customer Match adapter with what it learned of the platform's match rate. */
export interface GoogleCustomerMatchAdapter extends ChannelAdapter, MatchReporting {
  /** The latest job run for a user list (its resource name), to ask Google for its match rate. */
  latestJob(userList: string): string | undefined;
}

/**
 * Google Ads Customer Match over the REST interface of the Google Ads API: the sends of one user
 * list and op are batched into one offline user data job — `offlineUserDataJobs:create` (type
 * `CUSTOMER_MATCH_USER_LIST`, the list, consent for ad user data and personalization granted, as
 * Tailor sends only people whose consent covers advertising), `:addOperations` with one `create`
 * (add) or `remove` operation per person holding `hashedEmail` / `hashedPhoneNumber` (normalized
 * as Google specifies: `googleEmail`, `googlePhone`; SHA-256 hex) and partial failure enabled,
 * then `:run`. Each request carries `Authorization: Bearer`, `developer-token` and, when set,
 * `login-customer-id`. A person whose operation Google reports in `partialFailureError` is
 * `failed` (unreachable); the others are `sent` under the job's resource name.
 */
export function createGoogleCustomerMatchAdapter(
  options: GoogleCustomerMatchAdapterOptions,
): GoogleCustomerMatchAdapter {
  const baseUrl = (options.baseUrl ?? `https://googleads.googleapis.com/${GOOGLE_ADS_API_VERSION}`).replace(
    /\/+$/,
    '',
  );
  const setup = callSetupOf(options, 'Google Ads API');
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.accessToken}`,
    'developer-token': options.developerToken,
    'content-type': 'application/json',
    ...(options.loginCustomerId === undefined ? {} : { 'login-customer-id': options.loginCustomerId }),
  };
  const secrets = [options.accessToken, options.developerToken];
  const jobs = new Map<string, string>();

  const post = async (
    path: string,
    body: unknown,
  ): Promise<{ ok: true; body: Record<string, unknown> } | { ok: false; outcome: SendOutcome }> => {
    const answer = await callPlatform(setup, {
      url: `${baseUrl}/${path}`,
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    if (answer.kind === 'outcome') return { ok: false, outcome: answer.outcome };
    if (!answer.ok) return { ok: false, outcome: classifyGoogleAdsError(answer) };
    return { ok: true, body: isJsonObject(answer.body) ? answer.body : {} };
  };

  async function upload(
    userList: string,
    op: 'create' | 'remove',
    rows: Row[],
  ): Promise<SendOutcome | SendOutcome[]> {
    const created = await post(
      `customers/${encodeURIComponent(options.customerId)}/offlineUserDataJobs:create`,
      {
        job: {
          type: 'CUSTOMER_MATCH_USER_LIST',
          customerMatchUserListMetadata: {
            userList,
            consent: { adUserData: 'GRANTED', adPersonalization: 'GRANTED' },
          },
        },
        enableMatchRateRangePreview: true,
      },
    );
    if (!created.ok) return created.outcome;
    const job = created.body.resourceName;
    if (typeof job !== 'string' || !/^customers\/\d+\/offlineUserDataJobs\/\d+$/.test(job))
      return { kind: 'retry', reason: 'Google Ads API created a job without a resource name' };
    const added = await post(`${job}:addOperations`, {
      enablePartialFailure: true,
      operations: rows.map((row) => ({ [op]: { userIdentifiers: row.identifiers } })),
    });
    if (!added.ok) return added.outcome;
    const refused = refusedOperations(added.body);
    const ran = await post(`${job}:run`, {});
    if (!ran.ok) return ran.outcome;
    jobs.set(userList, job);
    return rows.map((_, index): SendOutcome => {
      const why = refused.get(index);
      return why === undefined
        ? { kind: 'sent', providerMessageId: job }
        : {
            kind: 'failed',
            reason: `Google could not use this person's identifiers: ${why}`,
            unreachable: true,
          };
    });
  }

  const batcher = new SendBatcher<Row>({
    maxSize: Math.min(
      options.maxBatch ?? GOOGLE_MAX_OPERATIONS_PER_REQUEST,
      GOOGLE_MAX_OPERATIONS_PER_REQUEST,
    ),
    windowMs: options.batchWindowMs ?? 50,
    flush: async (key, rows) => {
      const [userList = '', op] = key.split('\u0000');
      const outcomes = await upload(userList, op === 'remove' ? 'remove' : 'create', rows);
      return Array.isArray(outcomes)
        ? outcomes.map((outcome) => redactOutcome(outcome, secrets))
        : redactOutcome(outcomes, secrets);
    },
  });

  return {
    channel: 'google_customer_match',
    latestJob: (userList) => jobs.get(userList),
    async matchReport(userList: string): Promise<MatchReport | undefined> {
      const job = jobs.get(userList);
      if (job === undefined) return undefined;
      const query = `SELECT offline_user_data_job.resource_name, offline_user_data_job.status, offline_user_data_job.operation_metadata.match_rate_range FROM offline_user_data_job WHERE offline_user_data_job.resource_name = '${job}'`;
      const answer = await callPlatform(
        { ...setup, timeoutMs: REPORT_TIMEOUT_MS },
        {
          url: `${baseUrl}/customers/${encodeURIComponent(options.customerId)}/googleAds:search`,
          method: 'POST',
          headers,
          body: JSON.stringify({ query }),
        },
      );
      if (answer.kind !== 'answer' || !answer.ok || !isJsonObject(answer.body)) return undefined;
      const [row] = Array.isArray(answer.body.results) ? answer.body.results : [];
      const found = isJsonObject(row) && isJsonObject(row.offlineUserDataJob) ? row.offlineUserDataJob : {};
      const metadata = isJsonObject(found.operationMetadata) ? found.operationMetadata : {};
      const range = metadata.matchRateRange;
      return typeof range === 'string' ? { matchRateRange: range } : undefined;
    },
    async send(message: OutboundMessage): Promise<SendOutcome> {
      const change = audienceChangeOf(message.content);
      if (change === undefined) return NOT_AN_AUDIENCE_CHANGE;
      const { op, list } = change;
      const { email, phone } = matchIdentifiers(message.content);
      const normalizedEmail = email === undefined ? undefined : googleEmail(email);
      const normalizedPhone = phone === undefined ? undefined : googlePhone(phone);
      const identifiers: Row['identifiers'] = [];
      if (normalizedEmail !== undefined) identifiers.push({ hashedEmail: sha256Hex(normalizedEmail) });
      if (normalizedPhone !== undefined) identifiers.push({ hashedPhoneNumber: sha256Hex(normalizedPhone) });
      if (identifiers.length === 0)
        return { kind: 'failed', reason: 'no email or phone number Google can match', unreachable: true };
      return batcher.add(`${list}\u0000${op}`, { identifiers });
    },
  };
}

/** The operations a partial failure names (`operations[N]`), with Google's message for each. */
function refusedOperations(body: Record<string, unknown>): Map<number, string> {
  const refused = new Map<number, string>();
  const partial = isJsonObject(body.partialFailureError) ? body.partialFailureError : undefined;
  if (partial === undefined) return refused;
  for (const error of googleAdsErrors(partial)) {
    const location = isJsonObject(error.location) ? error.location : {};
    const path = Array.isArray(location.fieldPathElements) ? location.fieldPathElements : [];
    const operation = path.find((element) => isJsonObject(element) && element.fieldName === 'operations');
    const index = isJsonObject(operation) ? operation.index : undefined;
    if (typeof index === 'number')
      refused.set(index, typeof error.message === 'string' ? error.message : 'refused');
  }
  return refused;
}
