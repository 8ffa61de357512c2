import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { basic, bearer, openTestTailor, sendAccepted, type TestTailor } from '../support/test-tailor.ts';

let t: TestTailor;
beforeEach(async () => {
  t = await openTestTailor({ workspaces: ['shop', 'other'] });
});
afterEach(async () => {
  await t.close();
});

function admin(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, key = t.adminKey) {
  return t.app.inject({
    method,
    url,
    headers: {
      authorization: bearer(key),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

const BUYERS = { key: 'buyers', name: 'Buyers', when: { 'computed.orders': { $gte: 1 } } };

/** An order at `time` today (the clock stands at 10:00 UTC), by a user or an anonymous visitor. */
function order(who: { userId: string } | { anonymousId: string }, time: string) {
  return sendAccepted(t, '/v1/track', {
    ...who,
    event: 'Order Completed',
    timestamp: `2026-03-01T${time}:00Z`,
  });
}

type History = {
  size: number;
  points: { at: string; entries: number; exits: number; size: number }[];
  changes: { profile_id: string; user_id: string | null; change: string; at: string }[];
};

/** Three buyers, one of them an anonymous visitor who then signs in as the first: two people are left. */
async function tellStory(): Promise<void> {
  expect((await admin('POST', '/v1/segments?wait=true', BUYERS)).statusCode).toBe(200);
  await order({ userId: 'u1' }, '07:10');
  await order({ userId: 'u2' }, '08:20');
  await order({ anonymousId: 'a1' }, '09:05');
  await sendAccepted(t, '/v1/identify', {
    userId: 'u1',
    anonymousId: 'a1',
    timestamp: '2026-03-01T09:30:00Z',
  });
}

describe('GET /v1/segments/{key}/history', () => {
  it('gives the size by hour, worked back from now through entries and exits (a merge is an exit), and the latest moves', async () => {
    await tellStory();
    const reply = await admin('GET', '/v1/segments/buyers/history?points=4');
    expect(reply.statusCode, reply.body).toBe(200);
    const history: History = reply.json();
    expect(history.size).toBe(2);
    expect(history.points).toEqual([
      { at: '2026-03-01T07:00:00.000Z', entries: 1, exits: 0, size: 1 },
      { at: '2026-03-01T08:00:00.000Z', entries: 1, exits: 0, size: 2 },
      { at: '2026-03-01T09:00:00.000Z', entries: 1, exits: 1, size: 2 },
      { at: '2026-03-01T10:00:00.000Z', entries: 0, exits: 0, size: 2 },
    ]);
    expect(history.changes.map((c) => [c.change, c.at, c.user_id])).toEqual([
      ['entered', '2026-03-01T09:05:00.000Z', null],
      ['entered', '2026-03-01T08:20:00.000Z', 'u2'],
      ['entered', '2026-03-01T07:10:00.000Z', 'u1'],
    ]);
    const u2 = (await admin('GET', '/v1/profiles/user_id:u2')).json();
    expect(history.changes[1]?.profile_id).toBe(u2.id);

    const days: History = (
      await admin('GET', '/v1/segments/buyers/history?bucket=day&points=2&changes=1')
    ).json();
    expect(days.points).toEqual([
      { at: '2026-02-28T00:00:00.000Z', entries: 0, exits: 0, size: 0 },
      { at: '2026-03-01T00:00:00.000Z', entries: 3, exits: 1, size: 2 },
    ]);
    expect(days.changes).toHaveLength(1);
  });

  it('gives the same history after the workspace is rebuilt by replay', async () => {
    await tellStory();
    const before = (await admin('GET', '/v1/segments/buyers/history?points=4')).json();
    const renamed = await admin('PUT', '/v1/segments/buyers?wait=true', { ...BUYERS, name: 'All buyers' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    const after = (await admin('GET', '/v1/segments/buyers/history?points=4')).json();
    expect(after).toEqual(before);
  });

  it("counts an exit when a member leaves, and shows it with the entries; a later hour's exit lowers only later sizes", async () => {
    await tellStory();
    t.clock.advance(2 * 3_600_000);
    await sendAccepted(t, '/v1/identify', { userId: 'u2', traits: { plan: 'pro' } });
    const loose = { ...BUYERS, when: { 'computed.orders': { $gte: 1 }, 'traits.plan': { $ne: 'pro' } } };
    // Changing the condition rebuilds from the log: u2 leaves at the identify (12:00), in the replay.
    expect((await admin('PUT', '/v1/segments/buyers?wait=true', loose)).statusCode).toBe(200);
    const history: History = (await admin('GET', '/v1/segments/buyers/history?points=6')).json();
    expect(history.size).toBe(1);
    expect(history.points.map((p) => [p.at.slice(11, 16), p.entries, p.exits, p.size])).toEqual([
      ['07:00', 1, 0, 1],
      ['08:00', 1, 0, 2],
      ['09:00', 1, 1, 2],
      ['10:00', 0, 0, 2],
      ['11:00', 0, 0, 2],
      ['12:00', 0, 1, 1],
    ]);
    expect(history.changes[0]).toMatchObject({
      change: 'exited',
      user_id: 'u2',
      at: '2026-03-01T12:00:00.000Z',
    });
  });

  it('is for admin keys of the workspace only', async () => {
    await tellStory();
    const asWriter = await t.app.inject({
      url: '/v1/segments/buyers/history',
      headers: { authorization: basic(t.writeKey) },
    });
    expect(asWriter.statusCode).toBe(401);
    const writerBearer = await admin('GET', '/v1/segments/buyers/history', undefined, t.writeKey);
    expect(writerBearer.json().code).toBe('UNKNOWN_ADMIN_KEY');
    const other = await admin('GET', '/v1/segments/buyers/history', undefined, 'ak_other');
    expect(other.statusCode).toBe(404);
    expect(other.json().code).toBe('SEGMENT_NOT_FOUND');
  });
});
