import type { LoggedEvent } from '../../src/ingest/event.ts';
import { applyEvent } from '../../src/profile/apply-event.ts';
import {
  type CompiledComputedTraits,
  compileComputedTraits,
} from '../../src/profile/computed/compile-computed-traits.ts';
import type { ComputedTraitDef } from '../../src/profile/computed/computed-trait.ts';
import { newProfile } from '../../src/profile/new-profile.ts';
import type { ProfileState } from '../../src/profile/profile.ts';
import { seededRandom } from '../support/seeded-random.ts';

export { seededRandom };

/** 2026-01-01T00:00:00Z, the start of every test timeline. */
export const T0 = Date.parse('2026-01-01T00:00:00Z');
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

let counter = 0;

/** A logged event with defaults: a `track` at T0 with a fresh message id. */
export function event(fields: Partial<LoggedEvent> = {}): LoggedEvent {
  counter += 1;
  return {
    type: 'track',
    messageId: `m-${String(counter).padStart(6, '0')}`,
    timestamp: T0,
    receivedAt: fields.timestamp ?? T0,
    properties: {},
    traits: {},
    context: {},
    integrations: {},
    seq: counter,
    workspaceId: 'ws',
    ...fields,
  };
}

/** A computed trait definition with the loader's default event types. */
export function trait(
  fields: Partial<ComputedTraitDef> & Pick<ComputedTraitDef, 'key' | 'aggregate'>,
): ComputedTraitDef {
  return { eventTypes: ['track'], ...fields };
}

/** A fresh profile with every event applied in the order given. */
export function profileOf(
  events: LoggedEvent[],
  compiled: CompiledComputedTraits = compileComputedTraits([]),
  input: { id?: string; recentLimit?: number } = {},
): ProfileState {
  const profile = newProfile({ id: input.id ?? 'p1', workspaceId: 'ws', at: events[0]?.timestamp ?? T0 });
  for (const e of events) {
    applyEvent({ profile, event: e, identifiers: [], compiled, recentLimit: input.recentLimit ?? 20 });
  }
  return profile;
}

/** The items of a list in a random order. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = copy[i];
    const b = copy[j];
    if (a !== undefined && b !== undefined) {
      copy[i] = b;
      copy[j] = a;
    }
  }
  return copy;
}
