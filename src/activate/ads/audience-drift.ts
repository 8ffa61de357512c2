import type { ProfileState } from '../../profile/profile.ts';
import type { SendRecord } from '../send-record.ts';
import {
  type AudienceIdentifiers,
  type AudienceOp,
  advertisingAllowed,
  audienceChangeOf,
  audienceIdentifiers,
  inSegment,
} from './ads-sends.ts';

/**
 * The identifiers a destination mirroring `segment` should hold of the person: theirs when they
 * are in the segment, their consent covers advertising and they have an email or a phone;
 * undefined when the platform should not have them.
 */
export function wantedMember(profile: ProfileState, segment: string): AudienceIdentifiers | undefined {
  if (!inSegment(profile, segment) || !advertisingAllowed(profile)) return undefined;
  return audienceIdentifiers(profile);
}

/** A change that repairs a destination's drift. */
export interface AudienceRepair {
  profileId: string;
  op: AudienceOp;
  identifiers: AudienceIdentifiers;
}

/**
 * Compares a page of what a destination was last told of people (`Outbox.latestSendsByProfile`:
 * each person's latest live send) with the people it should hold (`wanted`, by profile id), and
 * says what repairs the drift: a `remove` for a person last added who should not be there (they
 * left while the remove failed, withdrew consent, …), with the identifiers that were added. Each
 * person the page names is taken out of `wanted` when the platform has them or they are on their
 * way (the latest send an `add`), unless `full`, which re-sends every wanted person: the platform
 * may have lost them. A profile that no longer `exists` (erased, or merged into another, whose
 * own sends speak for the person) gets no repair. What is left in `wanted` after the last page are the adds to send
 * (`remainingAdds`).
 */
export function repairsFromPage(input: {
  wanted: Map<string, AudienceIdentifiers>;
  latest: readonly SendRecord[];
  full: boolean;
  exists: (profileId: string) => boolean;
}): AudienceRepair[] {
  const { wanted, latest, full, exists } = input;
  const repairs: AudienceRepair[] = [];
  for (const send of latest) {
    const told = audienceChangeOf(send.content)?.op;
    if (wanted.has(send.profileId)) {
      if (told === 'add' && !full) wanted.delete(send.profileId);
      continue;
    }
    if (told !== 'add' || !exists(send.profileId)) continue;
    const identifiers = sentIdentifiers(send.content);
    if (identifiers !== undefined) repairs.push({ profileId: send.profileId, op: 'remove', identifiers });
  }
  return repairs;
}

/** The adds left once every page was compared: the wanted people the platform was not told of. */
export function remainingAdds(wanted: ReadonlyMap<string, AudienceIdentifiers>): AudienceRepair[] {
  return [...wanted].map(([profileId, identifiers]) => ({ profileId, op: 'add', identifiers }));
}

/** The identifiers an audience send carried. */
function sentIdentifiers(content: Record<string, unknown>): AudienceIdentifiers | undefined {
  const { email, phone } = content;
  if (typeof email === 'string') return typeof phone === 'string' ? { email, phone } : { email };
  return typeof phone === 'string' ? { phone } : undefined;
}
