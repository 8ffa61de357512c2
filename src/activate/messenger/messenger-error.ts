import type { SendOutcome } from '../channel.ts';
import { parseRetryAfter } from '../provider-answer.ts';
import { isJsonObject } from '../whatsapp/whatsapp-wire.ts';

/** Graph rate limits: 4 app, 17 user, 32 page, 613 calls to this API. */
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613]);
/** Graph errors Meta calls temporary: 1 unknown, 2 service unavailable. */
const TEMPORARY_CODES = new Set([1, 2]);
/** `(code 10, subcode 2018278)`: sent more than 24 hours after the person last wrote. */
const OUTSIDE_WINDOW_SUBCODE = 2018278;
/** `(code 100, subcode 2018001)`: no person with this id for this page or account. */
const NO_MATCHING_USER_SUBCODE = 2018001;
/** `(code 551)`: the person cannot be messaged (they blocked the page, or turned messages off). */
const NOT_AVAILABLE_CODE = 551;

const MAX_DETAIL_LENGTH = 300;

/**
 * Classifies a Send API answer that is not a success (Messenger and Instagram share it): rate
 * limits (HTTP 429, codes 4/17/32/613) and temporary errors (5xx, codes 1/2) are `retry`,
 * honouring `Retry-After`; a message sent outside the 24-hour window is `failed` but not
 * `unreachable` (the person may write again); a person who cannot be messaged (551) or who does
 * not exist for the page (100/2018001) is `unreachable`; a rejected token (401/403, 190, 10, 200–299)
 * and anything else is `failed`. The reason never holds the token.
 */
export function classifyMessengerError(input: {
  provider: string;
  status: number;
  body: unknown;
  retryAfter: string | null;
}): SendOutcome {
  const error = isJsonObject(input.body) && isJsonObject(input.body.error) ? input.body.error : {};
  const code = typeof error.code === 'number' ? error.code : undefined;
  const subcode = typeof error.error_subcode === 'number' ? error.error_subcode : undefined;
  const message = typeof error.message === 'string' ? error.message.slice(0, MAX_DETAIL_LENGTH) : '';
  const reason = `${input.provider} answered HTTP ${input.status}${code === undefined ? '' : `, code ${code}`}${subcode === undefined ? '' : `/${subcode}`}${message === '' ? '' : `: ${message}`}`;
  if (input.status === 429 || (code !== undefined && RATE_LIMIT_CODES.has(code))) {
    const retryAfterMs = parseRetryAfter(input.retryAfter);
    return retryAfterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs };
  }
  if (input.status >= 500 || (code !== undefined && TEMPORARY_CODES.has(code)))
    return { kind: 'retry', reason };
  if (subcode === OUTSIDE_WINDOW_SUBCODE) {
    return {
      kind: 'failed',
      reason: `more than 24 hours since the person last wrote: a reply is no longer allowed (${reason})`,
      unreachable: false,
    };
  }
  if (code === NOT_AVAILABLE_CODE || subcode === NO_MATCHING_USER_SUBCODE) {
    return { kind: 'failed', reason: `the person cannot be messaged (${reason})`, unreachable: true };
  }
  if (
    input.status === 401 ||
    input.status === 403 ||
    code === 190 ||
    code === 10 ||
    (code !== undefined && code >= 200 && code <= 299)
  ) {
    return {
      kind: 'failed',
      reason: `${input.provider} rejected the access token or its permissions (${reason})`,
      unreachable: false,
    };
  }
  return { kind: 'failed', reason, unreachable: false };
}
