import type { SendOutcome } from '../channel.ts';
import { parseRetryAfter } from '../provider-answer.ts';
import { isJsonObject } from './whatsapp-wire.ts';

/** Throughput and pair limits (4 app calls, 80007 account, 130429 throughput, 131048 spam, 131056 pair). */
const RATE_LIMIT_CODES = new Set([4, 80007, 130429, 131048, 131056]);

/** Errors Meta calls temporary: 2 service unavailable, 131000 something went wrong, 131016 overloaded. */
const TEMPORARY_CODES = new Set([2, 131000, 131016]);

/** The access token is wrong, expired or lacks a permission (0, 3, 10, 190, 200–299). */
function isAuthCode(code: number): boolean {
  return code === 0 || code === 3 || code === 10 || code === 190 || (code >= 200 && code <= 299);
}

/**
 * Recipient errors, and whether the number itself cannot receive. Only 131026 (undeliverable:
 * not on WhatsApp, an old app, terms not accepted) marks the address bad; the others are about
 * this message or this sender, and the same number may get the next one.
 */
const RECIPIENT_CODES = new Map<number, { what: string; unreachable: boolean }>([
  [131026, { what: 'the number cannot receive WhatsApp messages', unreachable: true }],
  [131030, { what: 'the number is not in the test number’s allowed list', unreachable: false }],
  [131047, { what: 'more than 24 hours since the person last wrote: send a template', unreachable: false }],
  [131051, { what: 'unsupported message type', unreachable: false }],
]);

/** Whether a Cloud API error code means the number cannot receive WhatsApp messages at all. */
export function isUnreachableCode(code: number): boolean {
  return RECIPIENT_CODES.get(code)?.unreachable === true;
}

const MAX_DETAIL_LENGTH = 300;

/** What a Graph error answer carries, read defensively (any field may be missing). */
interface GraphError {
  code?: number;
  message?: string;
  details?: string;
}

/**
 * Classifies a Cloud API answer that is not a success: rate limits (HTTP 429 or a throughput
 * code) and temporary errors (5xx, codes 2/131000/131016) are `retry`, honouring `Retry-After`
 * in seconds; a rejected token (401/403 or an auth code) is `failed` but not `unreachable`;
 * recipient errors are `failed`, `unreachable` only where the number cannot receive; any other
 * answer is `failed`. The reason never holds request headers, so never the token.
 */
export function classifyWhatsAppError(input: {
  status: number;
  body: unknown;
  retryAfter: string | null;
}): SendOutcome {
  const error = readGraphError(input.body);
  const code = error.code;
  const reason = describe(input.status, error);
  if (input.status === 429 || (code !== undefined && RATE_LIMIT_CODES.has(code))) {
    const retryAfterMs = parseRetryAfter(input.retryAfter);
    return retryAfterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs };
  }
  if (input.status >= 500 || (code !== undefined && TEMPORARY_CODES.has(code))) {
    return { kind: 'retry', reason };
  }
  if (input.status === 401 || input.status === 403 || (code !== undefined && isAuthCode(code))) {
    return {
      kind: 'failed',
      reason: `WhatsApp rejected the access token or its permissions (${reason})`,
      unreachable: false,
    };
  }
  const recipient = code === undefined ? undefined : RECIPIENT_CODES.get(code);
  if (recipient !== undefined) {
    return { kind: 'failed', reason: `${recipient.what} (${reason})`, unreachable: recipient.unreachable };
  }
  return { kind: 'failed', reason, unreachable: false };
}

function readGraphError(body: unknown): GraphError {
  if (!isJsonObject(body) || !isJsonObject(body.error)) return {};
  const error = body.error;
  const details = isJsonObject(error.error_data) ? error.error_data.details : undefined;
  return {
    code: typeof error.code === 'number' ? error.code : undefined,
    message: typeof error.message === 'string' ? error.message : undefined,
    details: typeof details === 'string' ? details : undefined,
  };
}

function describe(status: number, error: GraphError): string {
  const head = error.code === undefined ? `HTTP ${status}` : `HTTP ${status}, code ${error.code}`;
  const text = [error.message, error.details].filter((part) => part !== undefined && part !== '').join(': ');
  const detail = text.length > MAX_DETAIL_LENGTH ? `${text.slice(0, MAX_DETAIL_LENGTH)}…` : text;
  return detail === '' ? head : `${head}: ${detail}`;
}
