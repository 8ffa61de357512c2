import { bearer, sendAccepted, type TestTailor } from '../support/test-tailor.ts';

/** An admin request to the test Tailor. */
export function admin(tailor: TestTailor, method: 'GET' | 'DELETE', url: string) {
  return tailor.app.inject({ method, url, headers: { authorization: bearer(tailor.adminKey) } });
}

/** GET /v1/profiles/{ref} status for each reference. */
export async function statuses(tailor: TestTailor, refs: string[]): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const ref of refs) {
    result[ref] = (await admin(tailor, 'GET', `/v1/profiles/${encodeURIComponent(ref)}`)).statusCode;
  }
  return result;
}

/** The same status for every reference. */
export function all(refs: string[], status: number): Record<string, number> {
  return Object.fromEntries(refs.map((ref) => [ref, status]));
}

/**
 * Alice signs up as `u-alice` and aliases her old id `old-alice` (unknown then, so it is read
 * as an anonymous id); later a backend identifies `old-alice` as a user id: a second profile.
 */
export async function aliasThenIdentify(tailor: TestTailor): Promise<void> {
  await sendAccepted(tailor, '/v1/identify', {
    userId: 'u-alice',
    anonymousId: 'anon-alice',
    traits: { email: 'alice@example.com', first_name: 'Alice' },
  });
  await sendAccepted(tailor, '/v1/alias', { userId: 'u-alice', previousId: 'old-alice' });
  await sendAccepted(tailor, '/v1/identify', {
    userId: 'old-alice',
    traits: { phone: '+91 98450 11111', first_name: 'Alice Old' },
  });
}

/** Every identifier Alice's two profiles hold. */
export const ALICE_REFS = [
  'user_id:u-alice',
  'anonymous_id:anon-alice',
  'email:alice@example.com',
  'anonymous_id:old-alice',
  'user_id:old-alice',
  'phone:+919845011111',
];
