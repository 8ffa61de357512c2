import { describe, expect, it } from 'vitest';
import { chooseChannel } from '../../src/decide/choose-channel.ts';
import type { TailorEvent } from '../../src/ingest/event.ts';
import { compileScores } from '../../src/intent/compile-scores.ts';
import { applyEvent } from '../../src/profile/apply-event.ts';
import { compileComputedTraits } from '../../src/profile/computed/compile-computed-traits.ts';
import { mergeProfiles } from '../../src/profile/merge-profiles.ts';
import { newProfile } from '../../src/profile/new-profile.ts';
import type { ProfileState } from '../../src/profile/profile.ts';
import { profileContext } from '../../src/profile/profile-context.ts';

const T = Date.parse('2026-06-01T12:00:00Z');
const compiled = compileComputedTraits([]);

function track(event: string, at: number, properties: Record<string, unknown>): TailorEvent {
  return {
    type: 'track',
    event,
    messageId: `${event}-${at}`,
    timestamp: at,
    receivedAt: at,
    properties,
    traits: {},
    context: {},
    integrations: {},
  };
}

function person(): ProfileState {
  const profile = newProfile({ id: 'prf_a', workspaceId: 'w', at: T });
  profile.identifiers = { phone: ['+919845012345'], whatsapp: ['+919845012345'] };
  return profile;
}

function apply(profile: ProfileState, event: TailorEvent): void {
  applyEvent({
    profile,
    event: { ...event, seq: 1, workspaceId: 'w' },
    identifiers: [],
    compiled,
    recentLimit: 20,
  });
}

function choose(profile: ProfileState) {
  return chooseChannel({
    action: { key: 'remind', channels: ['whatsapp', 'sms'] },
    profile: profileContext({ profile, compiled, now: T + 10_000 }),
    contacts: [],
    policy: { caps: [] },
    now: T + 10_000,
  });
}

describe('reachability', () => {
  it('skips a channel whose last send failed for good, until a sign of life clears it', () => {
    const profile = person();
    expect(choose(profile).channel).toBe('whatsapp');

    apply(profile, track('Message Failed', T, { channel: 'whatsapp', unreachable: true, reason: '131026' }));
    expect(profile.unreachable).toEqual({ whatsapp: T });
    const choice = choose(profile);
    expect(choice.channel).toBe('sms');
    expect(choice.tried[0]).toEqual({
      channel: 'whatsapp',
      allowed: false,
      reason: `unreachable: the last whatsapp send failed for good (${new Date(T).toISOString()})`,
    });

    // A failure that may pass (not unreachable) marks nothing; an older delivery clears nothing.
    apply(profile, track('Message Failed', T + 1, { channel: 'sms', unreachable: false }));
    apply(profile, track('Message Delivered', T - 1, { channel: 'whatsapp' }));
    expect(profile.unreachable).toEqual({ whatsapp: T });

    apply(profile, track('Message Replied', T + 2, { channel: 'whatsapp', text: 'hi' }));
    expect(profile.unreachable).toEqual({});
    expect(choose(profile).channel).toBe('whatsapp');
  });

  it('keeps the mark through a merge', () => {
    const into = person();
    const from = newProfile({ id: 'prf_b', workspaceId: 'w', at: T });
    from.unreachable = { email: T };
    mergeProfiles({ into, from, compiled, scores: compileScores([]), recentLimit: 20 });
    expect(into.unreachable).toEqual({ email: T });
  });
});
