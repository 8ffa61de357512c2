import { describe, expect, it } from 'vitest';
import { compileDecisions } from '../../src/decide/compile-decisions.ts';
import { decidePlacements } from '../../src/decide/decide-placements.ts';
import type { TailorEvent } from '../../src/ingest/event.ts';
import { compileComputedTraits } from '../../src/profile/computed/compile-computed-traits.ts';
import { recordInbox } from '../../src/profile/inbox.ts';
import { newProfile } from '../../src/profile/new-profile.ts';
import { profileContext } from '../../src/profile/profile-context.ts';
import { decisions } from '../decide/decision-fixtures.ts';

const T = Date.parse('2026-06-01T12:00:00Z');

function decided(at: number, properties: Record<string, unknown>): TailorEvent {
  return {
    type: 'track',
    event: 'Decision Made',
    messageId: `dec-${at}-decision`,
    timestamp: at,
    receivedAt: at,
    properties,
    traits: {},
    context: { tailor: { recorded: true } },
    integrations: {},
    origin: 'tailor',
  };
}

// The web/in-app channel has no provider: a placement shows the latest in-app message.
const compiled = compileDecisions(
  decisions({
    placements: [
      {
        key: 'inbox_banner',
        variants: [
          {
            key: 'message',
            when: { 'inbox.action': { $exists: true } },
            content: { title: '{{ profile.inbox.content.title }}', action: '{{ profile.inbox.action }}' },
          },
          { key: 'empty', content: { title: 'Nothing new' } },
        ],
      },
    ],
  }),
);

describe('in-app messages', () => {
  it('keeps the latest in-app decision and shows it through a placement', () => {
    const profile = newProfile({ id: 'prf_a', workspaceId: 'w', at: T });
    const show = () =>
      decidePlacements({
        compiled,
        keys: ['inbox_banner'],
        context: {},
        profile: {
          id: profile.id,
          context: profileContext({ profile, compiled: compileComputedTraits([]), now: T }),
        },
        now: T,
        trace: false,
      })['inbox_banner'];
    expect(show()).toMatchObject({ variant: 'empty' });

    recordInbox(
      profile,
      decided(T, { outcome: 'action', channel: 'in_app', action: 'welcome', content: { title: 'Hi!' } }),
    );
    // Other channels, no action and older decisions leave it alone.
    recordInbox(
      profile,
      decided(T + 1, { outcome: 'action', channel: 'email', action: 'mail', content: {} }),
    );
    recordInbox(profile, decided(T + 2, { outcome: 'no_action', channel: null }));
    recordInbox(
      profile,
      decided(T - 1, { outcome: 'action', channel: 'in_app', action: 'old', content: {} }),
    );
    expect(profile.inbox).toEqual({
      action: 'welcome',
      content: { title: 'Hi!' },
      at: T,
      decisionId: `dec-${T}-decision`,
    });
    expect(show()).toEqual({ variant: 'message', content: { title: 'Hi!', action: 'welcome' } });
  });
});
