import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The identity token of a user id: the hex HMAC-SHA256 of the userId under the workspace's
 * identity-verification secret, as Intercom's identity verification makes it. The customer's
 * server computes it for the logged-in person and hands it to the page; a write key alone
 * (public) cannot, so it cannot ask decide about someone else.
 */
export function userToken(secret: string, userId: string): string {
  return createHmac('sha256', secret).update(userId, 'utf8').digest('hex');
}

/** Whether `token` is the identity token of `userId` under `secret`, compared in constant time. */
export function verifyUserToken(input: { secret: string; userId: string; token: string }): boolean {
  const expected = Buffer.from(userToken(input.secret, input.userId), 'hex');
  const given = /^[0-9a-fA-F]{64}$/.test(input.token) ? Buffer.from(input.token, 'hex') : undefined;
  return given !== undefined && timingSafeEqual(given, expected);
}
