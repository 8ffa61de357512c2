import type { SendOutcome } from '../channel.ts';
import { parseRetryAfter } from '../provider-answer.ts';
import { isJsonObject } from '../whatsapp/whatsapp-wire.ts';

const MAX_DETAIL_LENGTH = 300;

/** gRPC statuses Google Ads answers for a passing fault: try again with back-off. */
const TEMPORARY_STATUSES = new Set(['UNAVAILABLE', 'INTERNAL', 'DEADLINE_EXCEEDED', 'ABORTED']);

/**
 * Classifies a Google Ads API answer that is not a success (a `google.rpc.Status` with
 * `GoogleAdsFailure` details): `RESOURCE_EXHAUSTED` (HTTP 429, a quota error) is `retry` after
 * the failure's `quotaErrorDetails.retryDelay` (`"7s"`) or `Retry-After`; 5xx and the temporary
 * statuses are `retry`; `UNAUTHENTICATED` / `PERMISSION_DENIED` (401/403) fail with the token or
 * developer token named; any other error fails the batch for good. Never `unreachable`.
 */
export function classifyGoogleAdsError(input: {
  status: number;
  body: unknown;
  retryAfter: string | null;
}): SendOutcome {
  const error = isJsonObject(input.body) && isJsonObject(input.body.error) ? input.body.error : {};
  const status = typeof error.status === 'string' ? error.status : undefined;
  const failures = googleAdsErrors(error);
  const first = failures[0];
  const code = first === undefined ? undefined : errorCodeText(first.errorCode);
  const text = [
    typeof error.message === 'string' ? error.message : undefined,
    typeof first?.message === 'string' ? first.message : undefined,
  ]
    .filter((part): part is string => part !== undefined && part !== '')
    .join(': ');
  const detail = text.length > MAX_DETAIL_LENGTH ? `${text.slice(0, MAX_DETAIL_LENGTH)}…` : text;
  const reason = `Google Ads API: HTTP ${input.status}${status === undefined ? '' : ` ${status}`}${code === undefined ? '' : ` (${code})`}${detail === '' ? '' : `: ${detail}`}`;
  if (input.status === 429 || status === 'RESOURCE_EXHAUSTED') {
    const retryAfterMs = quotaRetryDelay(failures) ?? parseRetryAfter(input.retryAfter);
    return retryAfterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs };
  }
  if (input.status >= 500 || (status !== undefined && TEMPORARY_STATUSES.has(status)))
    return { kind: 'retry', reason };
  if (input.status === 401 || input.status === 403)
    return { kind: 'failed', reason: `Google Ads refused the credentials (${reason})`, unreachable: false };
  return { kind: 'failed', reason, unreachable: false };
}

/** The `errors` of the `GoogleAdsFailure` among a status's details. */
export function googleAdsErrors(status: Record<string, unknown>): Record<string, unknown>[] {
  const details = Array.isArray(status.details) ? status.details : [];
  for (const detail of details) {
    if (!isJsonObject(detail)) continue;
    const type = detail['@type'];
    if (typeof type === 'string' && type.endsWith('.GoogleAdsFailure') && Array.isArray(detail.errors))
      return detail.errors.filter(isJsonObject);
  }
  return [];
}

/** `{ quotaError: 'RESOURCE_EXHAUSTED' }` → `quotaError: RESOURCE_EXHAUSTED`. */
function errorCodeText(errorCode: unknown): string | undefined {
  if (!isJsonObject(errorCode)) return undefined;
  const [entry] = Object.entries(errorCode);
  return entry === undefined ? undefined : `${entry[0]}: ${String(entry[1])}`;
}

/** A quota error's `retryDelay` (a protobuf Duration in JSON, `"7s"` or `"0.5s"`) in ms. */
function quotaRetryDelay(failures: Record<string, unknown>[]): number | undefined {
  for (const failure of failures) {
    const details = isJsonObject(failure.details) ? failure.details : undefined;
    const quota =
      details !== undefined && isJsonObject(details.quotaErrorDetails)
        ? details.quotaErrorDetails
        : undefined;
    const delay = quota?.retryDelay;
    if (typeof delay === 'string' && /^\d+(?:\.\d+)?s$/.test(delay))
      return Math.round(Number(delay.slice(0, -1)) * 1000);
  }
  return undefined;
}
