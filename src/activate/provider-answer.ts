import type { SendOutcome } from './channel.ts';

/**
 * Reading HTTP providers' answers the same way in every adapter: `Retry-After` (delay-seconds,
 * fractional too, or an HTTP date) in ms from now, undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A failed `fetch` in words: `timed out` for a time-out, else the message and its cause. */
export function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

/**
 * A provider answer that redirects (3xx) as a failed send: Tailor asks for `redirect: 'manual'`
 * and never follows one, since a redirect could lead a call carrying a token past the URL rules
 * to another (private) address. Undefined for any other status.
 */
export function redirectFailure(input: { provider: string; response: Response }): SendOutcome | undefined {
  const { provider, response } = input;
  if (response.status < 300 || response.status >= 400) return undefined;
  const location = response.headers.get('location');
  const to = location === null ? '' : ` to ${location.slice(0, 200)}`;
  return {
    kind: 'failed',
    reason: `${provider} answered HTTP ${response.status}, a redirect${to}: Tailor never follows provider redirects; point the channel's URL at the final address`,
    unreachable: false,
  };
}

/** A send the destination guard refused: failed for good, as retrying cannot change the rules. */
export function refusedDestination(provider: string, reason: string): SendOutcome {
  return { kind: 'failed', reason: `${provider} not called: ${reason}`, unreachable: false };
}
