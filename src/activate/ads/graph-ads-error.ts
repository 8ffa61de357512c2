import type { SendOutcome } from '../channel.ts';
import { parseRetryAfter } from '../provider-answer.ts';
import { isJsonObject } from '../whatsapp/whatsapp-wire.ts';

/**
 * Marketing API throttling: 4 app calls, 17 user calls, 32 page calls, 613 calls per hour,
 * 80003 custom audience calls on the ad account, 80004 ads management calls.
 */
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80003, 80004]);

/** Errors Meta calls temporary: 1 unknown error, 2 service temporarily unavailable. */
const TEMPORARY_CODES = new Set([1, 2]);

/** The access token is wrong, expired or lacks a permission (3, 10, 190, 200–299). */
function isAuthCode(code: number): boolean {
  return code === 3 || code === 10 || code === 190 || (code >= 200 && code <= 299);
}

const MAX_DETAIL_LENGTH = 300;

/**
 * Classifies a Marketing API (Graph) answer that is not a success, as the WhatsApp adapter does
 * its Cloud API's: throttling (HTTP 429 or a rate-limit code) and temporary errors (5xx, codes
 * 1/2, `is_transient`) are `retry`, honouring `Retry-After`; a rejected token (401/403 or an auth
 * code) is `failed`; anything else (code 100, an invalid parameter or an audience that is gone or
 * blocked, subcode 1713230) is `failed`. Never `unreachable`: the request as a whole was refused,
 * not a person. The reason never holds request headers, so never the token.
 */
export function classifyGraphAdsError(input: {
  provider: string;
  status: number;
  body: unknown;
  retryAfter: string | null;
}): SendOutcome {
  const error = isJsonObject(input.body) && isJsonObject(input.body.error) ? input.body.error : {};
  const code = typeof error.code === 'number' ? error.code : undefined;
  const subcode = typeof error.error_subcode === 'number' ? error.error_subcode : undefined;
  const reason = describe(input, code, subcode, error);
  if (input.status === 429 || (code !== undefined && RATE_LIMIT_CODES.has(code))) {
    const retryAfterMs = parseRetryAfter(input.retryAfter);
    return retryAfterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs };
  }
  if (input.status >= 500 || (code !== undefined && TEMPORARY_CODES.has(code)) || error.is_transient === true)
    return { kind: 'retry', reason };
  if (input.status === 401 || input.status === 403 || (code !== undefined && isAuthCode(code)))
    return {
      kind: 'failed',
      reason: `${input.provider} rejected the access token or its permissions (${reason})`,
      unreachable: false,
    };
  return { kind: 'failed', reason, unreachable: false };
}

function describe(
  input: { provider: string; status: number },
  code: number | undefined,
  subcode: number | undefined,
  error: Record<string, unknown>,
): string {
  let head = `${input.provider}: HTTP ${input.status}`;
  if (code !== undefined) head += `, code ${code}`;
  if (subcode !== undefined) head += `, subcode ${subcode}`;
  const parts = [error.message, error.error_user_msg].filter(
    (part): part is string => typeof part === 'string' && part !== '',
  );
  const text = parts.join(': ');
  const detail = text.length > MAX_DETAIL_LENGTH ? `${text.slice(0, MAX_DETAIL_LENGTH)}…` : text;
  return detail === '' ? head : `${head}: ${detail}`;
}
