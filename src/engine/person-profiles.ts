import { canJoin } from '../identity/can-join.ts';
import { identifierKey } from '../identity/identifier.ts';
import type { IdentityRules } from '../identity/identity-rules.ts';
import { linkedKeys } from '../identity/linked-keys.ts';
import { normalizeIdentifier } from '../identity/normalize-identifier.ts';
import type { LoggedEvent, TailorEvent } from '../ingest/event.ts';
import type { ProfileState } from '../profile/profile.ts';
import type { StoredExposure } from '../store/ports/exposure-log.ts';
import type { MergeRecord } from '../store/ports/view-store.ts';

/** What an export holds of one of a person's profiles: its state, its events, its merges. */
export interface PersonExport {
  profile: ProfileState | undefined;
  events: LoggedEvent[];
  merges: MergeRecord[];
  /** What decide showed the person (the exposure log), newest first. */
  exposures: StoredExposure[];
}

/** What finding a person's profiles reads: committed events and the identifier index. */
export interface PersonSource {
  /** Every event linked to a profile (its own and those of the profiles merged into it). */
  eventsOf(profileId: string): Promise<TailorEvent[]>;
  /** The profile an identifier key points at now, if any. */
  profileFor(key: string): Promise<ProfileState | undefined>;
}

/**
 * Every profile that holds the person `start` is, for erase and export, starting with `start`
 * (profiles merged into one are part of it already). From each profile found:
 *
 * - an alias's `previousId` as a `user_id` leads to the profile holding it, whatever the
 *   identity rules say (the integrator declared it the person's), and back: a profile holding
 *   `anonymous_id:<v>` whose own alias declared `user_id:<v>` — a `user_id` of the person — is
 *   the person too;
 * - any other identifier in the person's events leads to the profile holding it only when the
 *   identity rules would let that profile join the person (`canJoin`). A device id shared with
 *   someone who has a `user_id` of their own does not spread the erase to them.
 */
export async function personProfiles(input: {
  start: ProfileState;
  rules: IdentityRules;
  source: PersonSource;
}): Promise<ProfileState[]> {
  const { start, rules, source } = input;
  const found = new Map<string, ProfileState>([[start.id, start]]);
  const union = copyIdentifiers(start.identifiers);
  const events = new Map<string, TailorEvent[]>();
  const eventsOf = async (id: string): Promise<TailorEvent[]> => {
    let list = events.get(id);
    if (list === undefined) {
      list = await source.eventsOf(id);
      events.set(id, list);
    }
    return list;
  };
  const queue: ProfileState[] = [start];
  const add = (profile: ProfileState): void => {
    found.set(profile.id, profile);
    for (const [type, values] of Object.entries(profile.identifiers)) {
      const held = union[type] ?? [];
      for (const value of values) if (!held.includes(value)) held.push(value);
      union[type] = held;
    }
    queue.push(profile);
  };
  for (let profile = queue.shift(); profile !== undefined; profile = queue.shift()) {
    const keys = linkedKeys(await eventsOf(profile.id), rules);
    for (const key of keys.declared) {
      const other = await source.profileFor(key);
      if (other !== undefined && !found.has(other.id)) add(other);
    }
    for (const userId of profile.identifiers.user_id ?? []) {
      const anonymous = normalizeIdentifier({ type: 'anonymous_id', raw: userId, rules });
      if (anonymous === undefined) continue;
      const other = await source.profileFor(identifierKey(anonymous));
      if (other === undefined || found.has(other.id)) continue;
      const declared = linkedKeys(await eventsOf(other.id), rules).declared;
      if (declared.includes(identifierKey({ type: 'user_id', value: userId }))) add(other);
    }
    for (const key of keys.carried) {
      const other = await source.profileFor(key);
      if (other !== undefined && !found.has(other.id) && canJoin(rules, union, other.identifiers)) add(other);
    }
  }
  return [...found.values()];
}

function copyIdentifiers(identifiers: Record<string, string[]>): Record<string, string[]> {
  const copy: Record<string, string[]> = {};
  for (const [type, values] of Object.entries(identifiers)) copy[type] = [...values];
  return copy;
}
