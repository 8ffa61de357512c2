import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FUTURE_TOLERANCE_MS } from '../../src/ingest/ingest-limits.ts';
import { bearer, openTestTailor, sendAccepted, type TestTailor } from '../support/test-tailor.ts';

/**
 * Traits keep the newest value by event time, so an event dated far in the future would win
 * over every later honest update. Times more than FUTURE_TOLERANCE_MS past receipt are clamped
 * to the receipt time; the client's value is kept as `originalTimestamp`.
 */

const START = Date.parse('2026-03-01T10:00:00Z');
const HOUR = 3_600_000;

let t: TestTailor;
beforeEach(async () => {
  t = await openTestTailor();
});
afterEach(async () => {
  await t.close();
});

async function firstName(ref: string): Promise<unknown> {
  const reply = await t.app.inject({
    method: 'GET',
    url: `/v1/profiles/${encodeURIComponent(ref)}`,
    headers: { authorization: bearer(t.adminKey) },
  });
  expect(reply.statusCode).toBe(200);
  return reply.json().traits.first_name;
}

async function logged(messageId: string) {
  const [event] = await t.store.readEventsById('shop', [messageId]);
  if (event === undefined) throw new Error(`${messageId} is not in the log`);
  return event;
}

describe('a far-future timestamp cannot pin traits', () => {
  it('Mallory dated 9999-12-31 loses to a later honest update', async () => {
    await sendAccepted(t, '/v1/identify', {
      userId: 'victim',
      messageId: 'mallory',
      timestamp: '9999-12-31T23:59:59.999Z',
      traits: { first_name: 'Mallory' },
    });
    t.clock.advance(HOUR);
    await sendAccepted(t, '/v1/identify', { userId: 'victim', traits: { first_name: 'Ada' } });
    expect(await firstName('user_id:victim')).toBe('Ada');

    const forged = await logged('mallory');
    expect(forged.timestamp).toBe(START);
    expect(forged.originalTimestamp).toBe(Date.parse('9999-12-31T23:59:59.999Z'));
  });

  it('also clamps a time computed from originalTimestamp and sentAt, inside a batch', async () => {
    const reply = await t.app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { 'content-type': 'application/json', authorization: `Basic ${btoa(`${t.writeKey}:`)}` },
      payload: JSON.stringify({
        sentAt: '2026-03-01T10:00:00Z',
        batch: [
          {
            type: 'identify',
            userId: 'victim',
            messageId: 'skewed',
            originalTimestamp: '2099-01-01T00:00:00Z',
            traits: { first_name: 'Mallory' },
          },
        ],
      }),
    });
    expect(reply.statusCode).toBe(200);
    const event = await logged('skewed');
    expect(event.timestamp).toBe(START);
    expect(event.originalTimestamp).toBe(Date.parse('2099-01-01T00:00:00Z'));

    t.clock.advance(HOUR);
    await sendAccepted(t, '/v1/identify', { userId: 'victim', traits: { first_name: 'Ada' } });
    expect(await firstName('user_id:victim')).toBe('Ada');
  });

  it('keeps a time within the tolerance as sent, and any time in the past', async () => {
    const ahead = new Date(START + FUTURE_TOLERANCE_MS - 1_000).toISOString();
    await sendAccepted(t, '/v1/track', { userId: 'u', messageId: 'ahead', event: 'E', timestamp: ahead });
    expect((await logged('ahead')).timestamp).toBe(Date.parse(ahead));
    expect((await logged('ahead')).originalTimestamp).toBeUndefined();

    await sendAccepted(t, '/v1/track', {
      userId: 'u',
      messageId: 'past',
      event: 'E',
      timestamp: '2020-01-01T00:00:00Z',
    });
    expect((await logged('past')).timestamp).toBe(Date.parse('2020-01-01T00:00:00Z'));
  });

  it('keeps an originalTimestamp the client sent when it clamps an explicit timestamp', async () => {
    await sendAccepted(t, '/v1/track', {
      userId: 'u',
      messageId: 'both',
      event: 'E',
      timestamp: '2999-01-01T00:00:00Z',
      originalTimestamp: '2026-03-01T09:59:00Z',
    });
    const event = await logged('both');
    expect(event.timestamp).toBe(START);
    expect(event.originalTimestamp).toBe(Date.parse('2026-03-01T09:59:00Z'));
  });
});
