/**
 * A local Google Ads API (REST, v21) for tests, benchmarks and the demo: an HTTP server on a free
 * port speaking the wire format of Customer Match's offline user data jobs.
 *
 * - `POST /v21/customers/{id}/offlineUserDataJobs:create` → `{ resourceName }` for a
 *   `CUSTOMER_MATCH_USER_LIST` job on a user list of that customer;
 * - `POST /v21/{job}:addOperations` → `{}` or `{ partialFailureError }` (with
 *   `enablePartialFailure`) naming each operation whose identifiers are not SHA-256 hex;
 * - `POST /v21/{job}:run` → a long-running operation `{ name }`; the job's operations then
 *   apply to the list, and its match rate range is known;
 * - `POST /v21/customers/{id}/googleAds:search` with a query on `offline_user_data_job` →
 *   `{ results: [{ offlineUserDataJob: { resourceName, status, operationMetadata: { matchRateRange } } }] }`.
 *
 * Every request needs `Authorization: Bearer <token>` and `developer-token`. Errors are
 * `google.rpc.Status` bodies with a `GoogleAdsFailure` detail: 401 `UNAUTHENTICATED`, 400
 * `INVALID_ARGUMENT`, 429 `RESOURCE_EXHAUSTED` with `quotaErrorDetails.retryDelay`, 500 `INTERNAL`.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { text as readText } from 'node:stream/consumers';
import { googleEmail, googlePhone, sha256Hex } from '../ads/match-keys.ts';
import { isJsonObject } from '../whatsapp/whatsapp-wire.ts';
import { type LocalProvider, type ProviderFault, serveLocally } from './local-provider.ts';

/** A running local Google Ads API. */
export interface LocalGoogleAds extends LocalProvider {
  /** The API root to give the channel as `base_url`: `http://127.0.0.1:<port>/v21`. */
  readonly baseUrl: string;
  readonly customerId: string;
  readonly accessToken: string;
  readonly developerToken: string;
  /** Creates a CRM-based user list; returns its resource name. */
  createUserList(name: string): string;
  /** People it can match (its "Google accounts"): email addresses or E.164 phone numbers. */
  knownPeople(addresses: readonly string[]): void;
  /** A list's members now, each by the hash that identified them (the email's, else the phone's). */
  members(userList: string): Set<string>;
  /** Each member change applied by a job run: to whom (as known, else the hash) and `added to <list name>`. */
  accepted(): { to: string; text: string; idempotencyKey?: string; at: number }[];
  requests(): { path: string; status: number; operations: number }[];
  /** Answers the next `count` requests with 429 `RESOURCE_EXHAUSTED` and a `retryDelay` of `seconds`. */
  throttle(count: number, seconds: number): void;
}

const API_VERSION = 'v21';
const MAX_OPERATIONS = 100_000;
const HASH = /^[0-9a-f]{64}$/;

interface Job {
  customerId: string;
  userList: string;
  operations: { op: 'create' | 'remove'; keys: string[] }[];
  status: 'PENDING' | 'RUNNING' | 'SUCCESS';
  matched: number;
  total: number;
}

/** Starts a local Google Ads API on 127.0.0.1 and a free port (or `port`). */
export async function startLocalGoogleAds(
  options: { customerId?: string; accessToken?: string; developerToken?: string; port?: number } = {},
): Promise<LocalGoogleAds> {
  const customerId = options.customerId ?? '1234567890';
  const accessToken = options.accessToken ?? `ya29.local-${randomBytes(12).toString('hex')}`;
  const developerToken = options.developerToken ?? `dev-${randomBytes(8).toString('hex')}`;
  const lists = new Map<string, { name: string; members: Set<string> }>();
  const jobs = new Map<string, Job>();
  const directory = new Map<string, string>();
  const accepted: { to: string; text: string; at: number }[] = [];
  /** When each job's create request arrived (`performance.now()`): the first request about its people. */
  const createdAt = new Map<string, number>();
  const answered: { path: string; status: number; operations: number }[] = [];
  let fault: ProviderFault | undefined;
  let throttled = 0;
  let throttleSeconds = 1;
  let nextId = 900_000;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const arrived = performance.now();
    const raw = await readText(request);
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    let operations = 0;
    const answer = (status: number, body: unknown): void => {
      answered.push({ path, status, operations });
      response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
      response.end(JSON.stringify(body));
    };
    if (
      request.headers.authorization !== `Bearer ${accessToken}` ||
      request.headers['developer-token'] !== developerToken
    ) {
      const which =
        request.headers['developer-token'] !== developerToken
          ? 'DEVELOPER_TOKEN_INVALID'
          : 'OAUTH_TOKEN_INVALID';
      answer(
        401,
        failure(
          401,
          'UNAUTHENTICATED',
          { authenticationError: which },
          'Request is missing or has invalid credentials.',
        ),
      );
      return;
    }
    if (throttled > 0 || fault?.kind === 'rate-limited' || fault?.kind === 'server-error') {
      const current = fault;
      if (throttled > 0) throttled -= 1;
      else fault = undefined;
      if (current?.kind === 'server-error') {
        answer(
          500,
          failure(500, 'INTERNAL', { internalError: 'INTERNAL_ERROR' }, 'Internal error encountered.'),
        );
        return;
      }
      const seconds = current?.kind === 'rate-limited' ? current.retryAfterSeconds : throttleSeconds;
      const body = failure(
        429,
        'RESOURCE_EXHAUSTED',
        { quotaError: 'RESOURCE_EXHAUSTED' },
        'Too many requests.',
        {
          quotaErrorDetails: {
            rateScope: 'ACCOUNT',
            rateName: 'Requests per service per method',
            retryDelay: `${seconds}s`,
          },
        },
      );
      answer(429, body);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      answer(
        400,
        failure(
          400,
          'INVALID_ARGUMENT',
          { requestError: 'BAD_RESOURCE_ID' },
          'Invalid JSON payload received.',
        ),
      );
      return;
    }
    const invalid = (message: string, code: Record<string, string> = { requestError: 'INVALID_INPUT' }) =>
      answer(400, failure(400, 'INVALID_ARGUMENT', code, message));
    if (!isJsonObject(body)) {
      invalid('The request body must be an object.');
      return;
    }
    let match = /^\/v\d+\/customers\/(\d+)\/offlineUserDataJobs:create$/.exec(path);
    if (match !== null) {
      const job = isJsonObject(body.job) ? body.job : {};
      const metadata = isJsonObject(job.customerMatchUserListMetadata)
        ? job.customerMatchUserListMetadata
        : {};
      const userList = typeof metadata.userList === 'string' ? metadata.userList : '';
      if (match[1] !== customerId || job.type !== 'CUSTOMER_MATCH_USER_LIST' || !lists.has(userList)) {
        invalid(`The user list ${userList} is not a Customer Match list of customer ${match[1]}.`, {
          offlineUserDataJobError: 'INVALID_USER_LIST_ID',
        });
        return;
      }
      nextId += 1;
      const resourceName = `customers/${customerId}/offlineUserDataJobs/${nextId}`;
      jobs.set(resourceName, {
        customerId,
        userList,
        operations: [],
        status: 'PENDING',
        matched: 0,
        total: 0,
      });
      answer(200, { resourceName });
      return;
    }
    match = /^\/v\d+\/(customers\/\d+\/offlineUserDataJobs\/\d+):(addOperations|run)$/.exec(path);
    const job = match === null ? undefined : jobs.get(match[1] ?? '');
    if (match !== null && job === undefined) {
      answer(
        404,
        failure(
          404,
          'NOT_FOUND',
          { requestError: 'RESOURCE_NOT_FOUND' },
          `Resource ${match[1]} was not found.`,
        ),
      );
      return;
    }
    if (match !== null && job !== undefined && match[2] === 'addOperations') {
      if (job.status !== 'PENDING') {
        invalid('Operations can only be added to a pending job.', {
          offlineUserDataJobError: 'INVALID_JOB_STATUS',
        });
        return;
      }
      const list = Array.isArray(body.operations) ? body.operations : [];
      operations = list.length;
      if (list.length === 0 || list.length > MAX_OPERATIONS) {
        invalid(`operations must hold 1 to ${MAX_OPERATIONS} operations.`);
        return;
      }
      const allInvalid = fault?.kind === 'invalid-recipient';
      if (allInvalid) fault = undefined;
      const errors: Record<string, unknown>[] = [];
      list.forEach((operation: unknown, index) => {
        const read = readOperation(operation);
        if (read === undefined || allInvalid) {
          errors.push({
            errorCode: { offlineUserDataJobError: 'INVALID_SHA256_FORMAT' },
            message: 'The SHA256 encoded value is malformed.',
            location: { fieldPathElements: [{ fieldName: 'operations', index }, { fieldName: 'create' }] },
          });
          return;
        }
        job.operations.push(read);
      });
      if (errors.length > 0 && body.enablePartialFailure !== true) {
        job.operations = [];
        answer(
          400,
          failure(
            400,
            'INVALID_ARGUMENT',
            { offlineUserDataJobError: 'INVALID_SHA256_FORMAT' },
            'The SHA256 encoded value is malformed.',
          ),
        );
        return;
      }
      answer(
        200,
        errors.length === 0
          ? {}
          : {
              partialFailureError: {
                code: 3,
                message: `${errors.length} operations failed`,
                details: [googleAdsFailure(errors)],
              },
            },
      );
      return;
    }
    if (match !== null && job !== undefined) {
      const list = lists.get(job.userList);
      for (const { op, keys } of job.operations) {
        const key = keys[0] ?? '';
        if (op === 'create') list?.members.add(key);
        else list?.members.delete(key);
        const known = keys.map((k) => directory.get(k)).find((value) => value !== undefined);
        if (known !== undefined) job.matched += 1;
        job.total += 1;
        accepted.push({
          to: known ?? key,
          text: `${op === 'create' ? 'added to' : 'removed from'} ${list?.name ?? ''}`,
          at: createdAt.get(match[1] ?? '') ?? arrived,
        });
      }
      job.status = 'SUCCESS';
      answer(200, { name: `customers/${customerId}/operations/${randomBytes(6).toString('hex')}` });
      return;
    }
    match = /^\/v\d+\/customers\/(\d+)\/googleAds:search$/.exec(path);
    if (match !== null && typeof body.query === 'string') {
      const named = /offline_user_data_job\.resource_name\s*=\s*'([^']+)'/.exec(body.query)?.[1];
      const found = named === undefined ? undefined : jobs.get(named);
      const results =
        found === undefined || named === undefined
          ? []
          : [
              {
                offlineUserDataJob: {
                  resourceName: named,
                  status: found.status,
                  operationMetadata: { matchRateRange: matchRange(found.matched, found.total) },
                },
              },
            ];
      answer(200, {
        results,
        fieldMask: 'offlineUserDataJob.status,offlineUserDataJob.operationMetadata.matchRateRange',
      });
      return;
    }
    answer(404, failure(404, 'NOT_FOUND', { requestError: 'UNKNOWN_RESOURCE' }, `Unknown method ${path}.`));
  };

  function readOperation(operation: unknown): { op: 'create' | 'remove'; keys: string[] } | undefined {
    if (!isJsonObject(operation)) return undefined;
    const op =
      operation.create !== undefined ? 'create' : operation.remove !== undefined ? 'remove' : undefined;
    const data = op === undefined ? undefined : operation[op];
    const identifiers = isJsonObject(data) && Array.isArray(data.userIdentifiers) ? data.userIdentifiers : [];
    const keys: string[] = [];
    for (const identifier of identifiers) {
      if (!isJsonObject(identifier)) return undefined;
      const value = identifier.hashedEmail ?? identifier.hashedPhoneNumber;
      if (typeof value !== 'string' || !HASH.test(value)) return undefined;
      keys.push(value);
    }
    return op === undefined || keys.length === 0 ? undefined : { op, keys };
  }

  const server = await serveLocally(handle, options.port);
  const port = server.port;
  return {
    baseUrl: `http://127.0.0.1:${port}/${API_VERSION}`,
    customerId,
    accessToken,
    developerToken,
    createUserList(name) {
      nextId += 1;
      const resourceName = `customers/${customerId}/userLists/${nextId}`;
      lists.set(resourceName, { name, members: new Set() });
      return resourceName;
    },
    knownPeople(addresses) {
      for (const address of addresses) {
        const normalized = address.includes('@') ? googleEmail(address) : googlePhone(address);
        if (normalized !== undefined) directory.set(sha256Hex(normalized), address);
      }
    },
    members: (userList) => new Set(lists.get(userList)?.members ?? []),
    accepted: () => [...accepted],
    requests: () => [...answered],
    failNext(next) {
      fault = next;
    },
    throttle(count, seconds) {
      throttled = count;
      throttleSeconds = seconds;
    },
    close: server.close,
  };
}

/** Google's match rate range for `matched` of `total`, in its enum's 10-point steps. */
function matchRange(matched: number, total: number): string {
  if (total === 0) return 'MATCH_RANGE_UNKNOWN';
  const percent = (100 * matched) / total;
  if (percent < 20) return 'MATCH_RANGE_LESS_THAN_20';
  if (percent >= 90) return 'MATCH_RANGE_GREATER_THAN_90';
  const low = Math.floor(percent / 10) * 10;
  return `MATCH_RANGE_${low}_TO_${low + 10}`;
}

function googleAdsFailure(errors: Record<string, unknown>[]) {
  return {
    '@type': `type.googleapis.com/google.ads.googleads.${API_VERSION}.errors.GoogleAdsFailure`,
    errors,
    requestId: randomBytes(8).toString('hex'),
  };
}

function failure(
  code: number,
  status: string,
  errorCode: Record<string, string>,
  message: string,
  details?: Record<string, unknown>,
) {
  return {
    error: {
      code,
      message: code === 400 ? 'Request contains an invalid argument.' : message,
      status,
      details: [googleAdsFailure([{ errorCode, message, ...(details === undefined ? {} : { details }) }])],
    },
  };
}
