import type { ProfileState } from './profile.ts';

/** An empty profile, first and last seen at `at` (the time of the event that creates it). */
export function newProfile(input: { id: string; workspaceId: string; at: number }): ProfileState {
  return {
    id: input.id,
    workspaceId: input.workspaceId,
    identifiers: {},
    traits: {},
    computed: {},
    scores: {},
    consent: {},
    firstSeen: input.at,
    lastSeen: input.at,
    recent: [],
    mergedIds: [],
    eventCount: 0,
  };
}
