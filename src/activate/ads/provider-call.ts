import type { SendOutcome } from '../channel.ts';
import { type DestinationGuard, OPEN_DESTINATION_GUARD } from '../outbound/destination-guard.ts';
import { describeFetchError, redirectFailure, refusedDestination } from '../provider-answer.ts';

/** What an ads adapter needs to call its platform: the fetch, the guard and a time limit. */
export interface CallSetup {
  fetch: typeof fetch;
  guard: DestinationGuard;
  timeoutMs: number;
  /** The platform's name in reasons, like `Meta Marketing API`. */
  provider: string;
}

/**
 * The call setup of an adapter from its options: the given fetch (else the global one), guard
 * (else open) and time limit (else 30 s), under the platform's name.
 */
export function callSetupOf(
  options: { fetch?: typeof fetch; guard?: DestinationGuard; timeoutMs?: number },
  provider: string,
): CallSetup {
  return {
    fetch: options.fetch ?? fetch,
    guard: options.guard ?? OPEN_DESTINATION_GUARD,
    timeoutMs: options.timeoutMs ?? 30_000,
    provider,
  };
}

/** A platform's answer: its status, its JSON body (undefined when not JSON) and its `Retry-After`. */
export interface PlatformAnswer {
  kind: 'answer';
  status: number;
  ok: boolean;
  body: unknown;
  retryAfter: string | null;
}

/**
 * One call to an ad platform, the way every adapter makes it: the destination guard first (a
 * refused host is a failed send), `redirect: 'manual'` (a redirect is a failed send, never
 * followed with the token), a time limit, and a network error or time-out as `retry`. Returns
 * the answer to classify, or the outcome already known.
 */
export async function callPlatform(
  setup: CallSetup,
  request: { url: string; method: string; headers: Record<string, string>; body?: string },
): Promise<PlatformAnswer | { kind: 'outcome'; outcome: SendOutcome }> {
  let response: Response;
  let text: string;
  try {
    const refused = await setup.guard({ url: request.url });
    if (refused !== undefined)
      return { kind: 'outcome', outcome: refusedDestination(setup.provider, refused) };
    response = await setup.fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      redirect: 'manual',
      signal: AbortSignal.timeout(setup.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    return {
      kind: 'outcome',
      outcome: { kind: 'retry', reason: `${setup.provider} not reached: ${describeFetchError(error)}` },
    };
  }
  const redirected = redirectFailure({ provider: setup.provider, response });
  if (redirected !== undefined) return { kind: 'outcome', outcome: redirected };
  return {
    kind: 'answer',
    status: response.status,
    ok: response.ok,
    body: parseJson(text),
    retryAfter: response.headers.get('retry-after'),
  };
}

/** An outcome whose reason has every secret's value replaced by `[redacted]`. */
export function redactOutcome(outcome: SendOutcome, secrets: readonly string[]): SendOutcome {
  if (outcome.kind === 'sent') return outcome;
  let reason = outcome.reason;
  for (const secret of secrets) if (secret !== '') reason = reason.split(secret).join('[redacted]');
  return { ...outcome, reason };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
