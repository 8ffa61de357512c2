import { describe, expect, it } from 'vitest';
import { fakeClock } from '../../src/clock.ts';
import type { Engine } from '../../src/engine/engine.ts';
import type { LoggedEvent, TailorEvent } from '../../src/ingest/event.ts';
import {
  audienceWorkspace,
  DAY,
  derivedOf,
  eventAt,
  HOUR,
  isDerived,
  iso,
  MINUTE,
  membersOf,
  openAudience,
  profileOf,
  reopenAudience,
  T0,
  timelineOf,
  WS,
} from '../support/audience-harness.ts';

const SECTIONS = `computed_traits:
  - key: orders
    aggregate: count
    events: [Order Completed]
scores:
  - key: intent
    half_life: 7d
    rules:
      - event: Pricing Viewed
        points: 50
lifecycle:
  stages:
    - key: customer
      when: { computed.orders: { $gte: 1 } }
    - key: hot
      when: { scores.intent: { $gte: 40 } }
    - key: browsing
segments:
  - key: pricing_week
    when:
      $performed: { event: Pricing Viewed, within: 7d }
  - key: hot
    when: { scores.intent: { $gte: 40 } }
  - key: abandoners
    when: { risks.checkout_abandonment: { $exists: true } }
detectors:
  - key: checkout_abandonment
    after: Checkout Started
    unless: Order Completed
    within: 30m
    emit: Checkout Abandoned
`;

const ABANDONED = {
  name: 'Checkout Abandoned',
  properties: { risk: 'checkout_abandonment', started_at: iso(T0) },
  timestamp: T0 + 30 * MINUTE,
};

/** The checkout events, with fixed message ids so two runs create the same profile ids. */
function checkoutStarted(): TailorEvent {
  return { ...eventAt({ userId: 'u1', event: 'Checkout Started' }, T0), messageId: 'checkout-1' };
}

async function abandonedCount(engine: Engine, profileId: string): Promise<number> {
  return (await derivedOf(engine, profileId)).filter((event) => event.name === 'Checkout Abandoned').length;
}

describe('timers across restarts', () => {
  it('fire after a clean restart: the risk is set and its event derived exactly once', async () => {
    const first = await openAudience(SECTIONS);
    await first.engine.ingest(WS, [checkoutStarted()]);
    await first.engine.close();

    first.clock.set(T0 + 31 * MINUTE);
    const second = await reopenAudience(first.path, first.clock);
    await second.engine.fireDueTimers();
    const profile = await profileOf(second.engine, 'user_id:u1');
    expect(profile.audience?.risks).toEqual({ checkout_abandonment: { at: T0 + 30 * MINUTE, since: T0 } });
    expect(profile.audience?.segments).toEqual({ abandoners: T0 + 30 * MINUTE });
    expect(await membersOf(second.engine, 'abandoners')).toEqual({ [profile.id]: T0 + 30 * MINUTE });

    second.clock.set(T0 + 40 * MINUTE);
    await second.engine.fireDueTimers();
    await second.engine.close();

    const third = await reopenAudience(first.path, first.clock);
    await third.engine.fireDueTimers();
    expect(await abandonedCount(third.engine, profile.id)).toBe(1);
    expect((await derivedOf(third.engine, profile.id)).filter((e) => e.name === ABANDONED.name)).toEqual([
      ABANDONED,
    ]);
    await third.engine.close();
  });

  it('replay after a crash between a timer record and its commit derives the same events, once', async () => {
    // The reference: the same events and timer, with a clean close.
    const clean = await openAudience(SECTIONS);
    await clean.engine.ingest(WS, [checkoutStarted()]);
    await clean.engine.commit();
    clean.clock.set(T0 + 31 * MINUTE);
    await clean.engine.fireDueTimers();
    await clean.engine.close();
    const reference = await reopenAudience(clean.path, clean.clock);
    const referenceProfile = await profileOf(reference.engine, 'user_id:u1');
    const expected = (await timelineOf(reference.engine, referenceProfile.id)).filter(isDerived);
    await reference.engine.close();
    expect(expected.map((event) => event.event)).toEqual(
      expect.arrayContaining(['Checkout Abandoned', 'Segment Entered']),
    );

    // The crash: the timer record is in the log, but the view was last committed before it.
    const crashed = await openAudience(SECTIONS);
    await crashed.engine.ingest(WS, [checkoutStarted()]);
    await crashed.engine.commit();
    crashed.clock.set(T0 + 31 * MINUTE);
    await crashed.engine.fireDueTimers();
    const checkpoint = await crashed.store.viewCheckpoint();
    expect(checkpoint).toBeLessThan(await crashed.store.lastSeq());

    // A second engine opens the same file while the first one's memory is simply dropped; the
    // crash closes the file (and frees its writer lock) as the OS would, committing nothing.
    await crashed.store.close();
    const recovered = await reopenAudience(crashed.path, crashed.clock);
    const profile = await profileOf(recovered.engine, 'user_id:u1');
    expect(profile.id).toBe(referenceProfile.id);
    expect(profile.audience?.risks).toEqual({ checkout_abandonment: { at: T0 + 30 * MINUTE, since: T0 } });
    const derived = (await timelineOf(recovered.engine, profile.id)).filter(isDerived);
    expect(derived).toEqual(expected);

    // Nothing is due any more: firing again derives nothing new.
    recovered.clock.set(T0 + 45 * MINUTE);
    await recovered.engine.fireDueTimers();
    expect(await abandonedCount(recovered.engine, profile.id)).toBe(1);
    await recovered.engine.close();
  });
});

describe('a full rebuild', () => {
  it('reproduces the memberships and derived events of the live run', async () => {
    const live = await openAudience(SECTIONS);
    const { engine, clock } = live;
    const send = async (at: number, spec: Parameters<typeof eventAt>[0]): Promise<void> => {
      clock.set(Math.max(clock.now(), T0 + at));
      await engine.ingest(WS, [eventAt(spec, T0 + at, clock.now())]);
    };
    const fireAt = async (at: number): Promise<void> => {
      clock.set(T0 + at);
      await engine.fireDueTimers();
    };
    await send(0, { userId: 'u1', event: 'Pricing Viewed' });
    await send(0, { userId: 'u2', event: 'Checkout Started' });
    await send(10 * MINUTE, { anonymousId: 'a3', event: 'Pricing Viewed' });
    await fireAt(31 * MINUTE);
    await send(HOUR, { userId: 'u1', event: 'Checkout Started' });
    await send(2 * HOUR, { userId: 'u1', event: 'Order Completed' });
    await send(3 * HOUR, { userId: 'u3', anonymousId: 'a3', event: 'Signed In' });
    await fireAt(3 * DAY);
    await send(4 * DAY, { userId: 'u2', event: 'Order Completed' });
    await send(2 * DAY, { userId: 'u3', event: 'Pricing Viewed' });
    await fireAt(20 * DAY);
    await send(21 * DAY, { userId: 'u3', event: 'Checkout Started' });
    await fireAt(22 * DAY);

    const refs = ['user_id:u1', 'user_id:u2', 'user_id:u3'];
    const snapshot = async (): Promise<unknown> => {
      const profiles = [];
      for (const ref of refs) {
        const profile = await profileOf(engine, ref);
        const timeline = await timelineOf(engine, profile.id);
        profiles.push({ id: profile.id, audience: profile.audience, timeline });
      }
      const members: Record<string, Record<string, number>> = {};
      for (const segment of ['pricing_week', 'hot', 'abandoners'])
        members[segment] = await membersOf(engine, segment);
      return { profiles, members };
    };
    const before = await snapshot();
    const derivedCount = (before as { profiles: { timeline: LoggedEvent[] }[] }).profiles
      .flatMap((profile) => profile.timeline)
      .filter(isDerived).length;
    expect(derivedCount).toBeGreaterThan(10);

    const changed = audienceWorkspace(
      SECTIONS.replace(
        'detectors:',
        '  - key: enterprise\n    when: { traits.plan: enterprise }\ndetectors:',
      ),
    );
    const compiled = await engine.applyWorkspace(changed);
    expect(compiled.audience.segments.map((segment) => segment.key)).toContain('enterprise');
    expect(await snapshot()).toEqual(before);
    await engine.close();
  });

  it('gives a restarted engine the same clock-driven outcome as one that never stopped', async () => {
    const runs: unknown[] = [];
    for (const restart of [false, true]) {
      let h = await openAudience(SECTIONS);
      await h.engine.ingest(WS, [
        { ...eventAt({ userId: 'u1', event: 'Pricing Viewed' }, T0), messageId: 'p-1' },
      ]);
      if (restart) {
        await h.engine.close();
        h = await reopenAudience(h.path, fakeClock(T0));
      }
      h.clock.set(T0 + 10 * DAY);
      await h.engine.fireDueTimers();
      const profile = await profileOf(h.engine, 'user_id:u1');
      runs.push({ audience: profile.audience, derived: await derivedOf(h.engine, profile.id) });
      await h.engine.close();
    }
    expect(runs[1]).toEqual(runs[0]);
  });
});
