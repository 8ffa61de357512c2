import { afterEach, describe, expect, it } from 'vitest';
import { basic, openTestTailor, type TestTailor } from '../support/test-tailor.ts';

let t: TestTailor | undefined;
afterEach(async () => {
  await t?.close();
});

describe('overload', () => {
  it('answers 429 OVERLOADED with Retry-After instead of queueing without bound, and keeps what it accepted', async () => {
    t = await openTestTailor({ engine: { maxPendingEvents: 100 } });
    const tailor = t;
    const batch = (n: number) =>
      JSON.stringify({
        batch: Array.from({ length: 60 }, (_, i) => ({
          type: 'track',
          userId: `u${n}`,
          event: 'Tick',
          messageId: `m${n}-${i}`,
        })),
      });
    // Five batches of 60 arrive together: the first waits for the disk, the rest would exceed 100 waiting events.
    const replies = await Promise.all(
      [0, 1, 2, 3, 4].map((n) =>
        tailor.app.inject({
          method: 'POST',
          url: '/v1/batch',
          headers: { 'content-type': 'application/json', authorization: basic(tailor.writeKey) },
          payload: batch(n),
        }),
      ),
    );
    const statuses = replies.map((reply) => reply.statusCode);
    expect(statuses).toContain(200);
    expect(statuses).toContain(429);
    for (const reply of replies.filter((r) => r.statusCode === 429)) {
      expect(reply.json().code).toBe('OVERLOADED');
      expect(reply.headers['retry-after']).toBe('1');
    }
    const accepted = replies
      .filter((r) => r.statusCode === 200)
      .reduce((sum, r) => sum + r.json().accepted, 0);
    expect(accepted).toBe(60 * statuses.filter((s) => s === 200).length);
    expect(await tailor.store.lastSeq()).toBe(accepted);
  });
});
