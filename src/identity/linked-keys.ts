import type { TailorEvent } from '../ingest/event.ts';
import { readEventIdentifiers } from './extract-identifiers.ts';
import { identifierKey } from './identifier.ts';
import type { IdentityRules } from './identity-rules.ts';

/** The identifier keys (`type:value`) a person's events name, by how far they carry an erase. */
export interface LinkedKeys {
  /**
   * `user_id:<previousId>` of each alias: the integrator declared that id a former id of this
   * person, so the profile that holds it is theirs even when it was created later, or when the
   * identity rules kept it apart (one `user_id` per profile).
   */
  declared: string[];
  /**
   * Every other identifier the events carry (`userId`, `anonymousId`, emails, phones,
   * `externalIds`, and an alias's `previousId` read as an anonymous id). Such an id may be
   * shared — a family tablet, a shop's phone — so it only carries the erase to a profile the
   * identity rules would have let join the person (`canJoin`).
   */
  carried: string[];
}

/** Reads the identifier keys of a person's events, each once, in event order. */
export function linkedKeys(events: readonly TailorEvent[], rules: IdentityRules): LinkedKeys {
  const declared = new Set<string>();
  const carried = new Set<string>();
  for (const event of events) {
    const read = readEventIdentifiers(event, rules);
    for (const identifier of read.found) carried.add(identifierKey(identifier));
    if (read.previousAsUser !== undefined) declared.add(identifierKey(read.previousAsUser));
    if (read.previousAsAnonymous !== undefined) carried.add(identifierKey(read.previousAsAnonymous));
  }
  for (const key of declared) carried.delete(key);
  return { declared: [...declared], carried: [...carried] };
}
