import { describe, expect, it } from 'vitest';
import { contactBlock, nextAllowedMoment } from '../../src/decide/contact-policy.ts';
import type { ContactPolicyDef } from '../../src/decide/decision-def.ts';
import { type ContactRecord, recordContact } from '../../src/profile/contact-history.ts';
import { DAY, HOUR, MINUTE, NOW, track } from './decision-fixtures.ts';

/** A contact log built from events, in the order given. */
function log(...events: Parameters<typeof track>[]): ContactRecord[] {
  const contacts: ContactRecord[] = [];
  for (const args of events) recordContact(contacts, track(...args));
  return contacts;
}

describe('contact history', () => {
  it('adds sends newest first, placing a late one by time, and keeps the newest `limit`', () => {
    const contacts: ContactRecord[] = [];
    recordContact(contacts, track('Message Sent', NOW - HOUR, { channel: 'email' }));
    recordContact(contacts, track('Message Sent', NOW, { channel: 'whatsapp', action: 'remind' }));
    recordContact(contacts, track('Message Sent', NOW - 2 * HOUR, { channel: 'sms' }));
    expect(contacts).toEqual([
      { at: NOW, channel: 'whatsapp', action: 'remind', responded: false },
      { at: NOW - HOUR, channel: 'email', responded: false },
      { at: NOW - 2 * HOUR, channel: 'sms', responded: false },
    ]);
    recordContact(contacts, track('Message Sent', NOW + HOUR, { channel: 'push' }), 3);
    expect(contacts.map((contact) => contact.channel)).toEqual(['push', 'whatsapp', 'email']);
  });

  it.each<[string, string, number, boolean[]]>([
    ['a reply marks the newest earlier contact on its channel', 'Message Replied', NOW, [false, true, false]],
    ['a click', 'Message Clicked', NOW, [false, true, false]],
    ['an open', 'Message Opened', NOW, [false, true, false]],
    [
      'a response before any send on the channel changes nothing',
      'Message Opened',
      NOW - 3 * HOUR,
      [false, false, false],
    ],
    ['another event changes nothing', 'Product Viewed', NOW, [false, false, false]],
  ])('%s', (_name, name, at, responded) => {
    const contacts = log(
      ['Message Sent', NOW - 2 * HOUR, { channel: 'email' }],
      ['Message Sent', NOW - HOUR, { channel: 'email' }],
      ['Message Sent', NOW - 30 * MINUTE, { channel: 'sms' }],
    );
    recordContact(contacts, track(name, at, { channel: 'email' }));
    expect(contacts.map((contact) => contact.responded)).toEqual([responded[0], responded[1], responded[2]]);
  });

  it('ignores a send without a channel', () => {
    expect(log(['Message Sent', NOW, {}])).toEqual([]);
  });
});

const WHATSAPP_DAILY: ContactPolicyDef = { caps: [{ channel: 'whatsapp', max: 1, perMs: DAY }] };

describe('contact policy', () => {
  it.each<[string, ContactPolicyDef, ContactRecord[], string, string | null]>([
    ['nothing sent: allowed', WHATSAPP_DAILY, [], 'whatsapp', null],
    [
      'channel cap reached',
      WHATSAPP_DAILY,
      log(['Message Sent', NOW - HOUR, { channel: 'whatsapp' }]),
      'whatsapp',
      'cap: at most 1 whatsapp per 1d (1 sent at 2026-03-10T05:00:00.000Z)',
    ],
    [
      'the channel cap does not bind another channel',
      WHATSAPP_DAILY,
      log(['Message Sent', NOW - HOUR, { channel: 'whatsapp' }]),
      'email',
      null,
    ],
    [
      'the window slides: a send just over a day ago is out',
      WHATSAPP_DAILY,
      log(['Message Sent', NOW - DAY, { channel: 'whatsapp' }]),
      'whatsapp',
      null,
    ],
    [
      'overall cap across channels',
      { caps: [{ max: 2, perMs: 7 * DAY }] },
      log(
        ['Message Sent', NOW - 3 * DAY, { channel: 'email' }],
        ['Message Sent', NOW - DAY, { channel: 'sms' }],
      ),
      'push',
      'cap: at most 2 contacts per 1w (2 sent, the oldest at 2026-03-07T06:00:00.000Z)',
    ],
    [
      'cool-down of the same action on any channel',
      { caps: [] },
      log(['Message Sent', NOW - 2 * DAY, { channel: 'email', action: 'remind' }]),
      'whatsapp',
      'cooldown: remind was sent on email at 2026-03-08T06:00:00.000Z, within its 3d cool-down',
    ],
    [
      'cool-down over',
      { caps: [] },
      log(['Message Sent', NOW - 4 * DAY, { channel: 'email', action: 'remind' }]),
      'whatsapp',
      null,
    ],
    [
      'cool-down of another action does not bind',
      { caps: [] },
      log(['Message Sent', NOW - HOUR, { channel: 'email', action: 'other' }]),
      'email',
      null,
    ],
    [
      'suppressed after 3 ignored contacts in a row',
      { caps: [], suppressAfterIgnored: 3 },
      log(
        ['Message Sent', NOW - 3 * DAY, { channel: 'email' }],
        ['Message Sent', NOW - 2 * DAY, { channel: 'sms' }],
        ['Message Sent', NOW - DAY, { channel: 'email' }],
      ),
      'push',
      'suppressed: the last 3 contacts went unanswered (the latest on email at 2026-03-09T06:00:00.000Z)',
    ],
    [
      'a response resets the ignored run',
      { caps: [], suppressAfterIgnored: 3 },
      log(
        ['Message Sent', NOW - 4 * DAY, { channel: 'email' }],
        ['Message Sent', NOW - 3 * DAY, { channel: 'sms' }],
        ['Message Sent', NOW - 2 * DAY, { channel: 'email' }],
        ['Message Clicked', NOW - 2 * DAY + HOUR, { channel: 'email' }],
        ['Message Sent', NOW - DAY, { channel: 'email' }],
      ),
      'push',
      null,
    ],
    [
      'two ignored of three needed: allowed',
      { caps: [], suppressAfterIgnored: 3 },
      log(
        ['Message Sent', NOW - 2 * DAY, { channel: 'sms' }],
        ['Message Sent', NOW - DAY, { channel: 'email' }],
      ),
      'push',
      null,
    ],
  ])('%s', (_name, policy, contacts, channel, reason) => {
    expect(
      contactBlock({ policy, contacts, action: { key: 'remind', cooldownMs: 3 * DAY }, channel, now: NOW }),
    ).toBe(reason);
  });
});

const NIGHT = { start: '21:00', end: '08:00' };

describe('quiet hours in the person’s time zone', () => {
  it.each<[string, { start: string; end: string }, string, string, string]>([
    ['Kolkata mid-morning: now', NIGHT, 'Asia/Kolkata', '2026-06-15T05:00:00Z', '2026-06-15T05:00:00.000Z'],
    [
      'Kolkata 21:30: next 08:00 IST',
      NIGHT,
      'Asia/Kolkata',
      '2026-06-15T16:00:00Z',
      '2026-06-16T02:30:00.000Z',
    ],
    [
      'Kolkata 01:30 after midnight: 08:00 the same day',
      NIGHT,
      'Asia/Kolkata',
      '2026-06-15T20:00:00Z',
      '2026-06-16T02:30:00.000Z',
    ],
    [
      'Kolkata exactly at the start is quiet',
      NIGHT,
      'Asia/Kolkata',
      '2026-06-15T15:30:00Z',
      '2026-06-16T02:30:00.000Z',
    ],
    [
      'Kolkata exactly at the end is allowed',
      NIGHT,
      'Asia/Kolkata',
      '2026-06-16T02:30:00Z',
      '2026-06-16T02:30:00.000Z',
    ],
    [
      'New York summer 22:00 EDT: 08:00 EDT',
      NIGHT,
      'America/New_York',
      '2026-07-01T02:00:00Z',
      '2026-07-01T12:00:00.000Z',
    ],
    [
      'New York winter 22:00 EST: 08:00 EST',
      NIGHT,
      'America/New_York',
      '2026-01-15T03:00:00Z',
      '2026-01-15T13:00:00.000Z',
    ],
    [
      'New York the night clocks spring forward: 08:00 EDT',
      NIGHT,
      'America/New_York',
      '2026-03-08T03:00:00Z',
      '2026-03-08T12:00:00.000Z',
    ],
    [
      'New York the night clocks fall back: 08:00 EST',
      NIGHT,
      'America/New_York',
      '2026-11-01T03:00:00Z',
      '2026-11-01T13:00:00.000Z',
    ],
    [
      'an end the clock skips ends at the jump',
      { start: '01:00', end: '02:30' },
      'America/New_York',
      '2026-03-08T06:30:00Z',
      '2026-03-08T07:00:00.000Z',
    ],
    [
      'a daytime window',
      { start: '13:00', end: '14:00' },
      'UTC',
      '2026-03-10T13:15:00Z',
      '2026-03-10T14:00:00.000Z',
    ],
    [
      'outside a daytime window',
      { start: '13:00', end: '14:00' },
      'UTC',
      '2026-03-10T22:00:00Z',
      '2026-03-10T22:00:00.000Z',
    ],
    [
      'equal ends: no quiet hours',
      { start: '08:00', end: '08:00' },
      'UTC',
      '2026-03-10T03:00:00Z',
      '2026-03-10T03:00:00.000Z',
    ],
  ])('%s', (_name, quiet, zone, now, expected) => {
    expect(new Date(nextAllowedMoment(quiet, zone, Date.parse(now))).toISOString()).toBe(expected);
  });
});
