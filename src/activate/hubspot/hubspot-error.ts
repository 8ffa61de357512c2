import type { SendOutcome } from '../channel.ts';
import { parseRetryAfter } from '../provider-answer.ts';
import { isJsonObject } from '../whatsapp/whatsapp-wire.ts';

/**
 * How long a rate-limit policy's window is (ms): HubSpot's 429 names the policy it hit
 * (`policyName`), and a request may go again once that window has rolled on. A daily limit waits
 * an hour at a time, so the sends are retried through the day rather than given up on.
 */
const POLICY_WINDOW_MS: Record<string, number> = {
  SECONDLY: 1_000,
  TEN_SECONDLY_ROLLING: 10_000,
  DAILY: 3_600_000,
};

const MAX_DETAIL_LENGTH = 300;

/**
 * Classifies a HubSpot CRM API answer that is not a success, as the other adapters classify
 * theirs: HTTP 429 (`errorType: RATE_LIMIT`) is `retry` after `Retry-After`, else after the window
 * of the policy it names; 5xx is `retry`; 401 (`INVALID_AUTHENTICATION`, `EXPIRED_AUTHENTICATION`)
 * and 403 (`MISSING_SCOPES`) fail the batch, saying the token is at fault; anything else (400
 * `VALIDATION_ERROR`: a property that does not exist or a value it refuses) fails it for good.
 * Never `unreachable`: the request as a whole was refused, not a person. The reason never holds
 * request headers, so never the token.
 */
export function classifyHubSpotError(input: {
  status: number;
  body: unknown;
  retryAfter: string | null;
}): SendOutcome {
  const body = isJsonObject(input.body) ? input.body : {};
  const category = typeof body.category === 'string' ? body.category : undefined;
  const reason = describe(input.status, category, body.message);
  if (input.status === 429) {
    const policy = typeof body.policyName === 'string' ? POLICY_WINDOW_MS[body.policyName] : undefined;
    const retryAfterMs = parseRetryAfter(input.retryAfter) ?? policy;
    return retryAfterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs };
  }
  if (input.status >= 500) return { kind: 'retry', reason };
  if (input.status === 401 || input.status === 403)
    return {
      kind: 'failed',
      reason: `HubSpot rejected the access token or its scopes (${reason})`,
      unreachable: false,
    };
  return { kind: 'failed', reason, unreachable: false };
}

/** A reason from HubSpot's status, category and message, cut to a readable length. */
export function describe(status: number, category: string | undefined, message: unknown): string {
  let head = `HubSpot CRM API: HTTP ${status}`;
  if (category !== undefined) head += `, ${category}`;
  const text = typeof message === 'string' ? message : '';
  const detail = text.length > MAX_DETAIL_LENGTH ? `${text.slice(0, MAX_DETAIL_LENGTH)}…` : text;
  return detail === '' ? head : `${head}: ${detail}`;
}
