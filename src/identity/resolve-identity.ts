import { ruleFor, sortByPriority, uniqueIdentifiers } from './extract-identifiers.ts';
import { type Identifier, identifierKey } from './identifier.ts';
import type { IdentityRules } from './identity-rules.ts';

/** What identity resolution reads of the identifier graph: the index and each profile's identifiers. */
export interface IdentityGraph {
  /** The (surviving) profile an identifier key points at, if any. */
  profileIdFor(key: string): string | undefined;
  /** A profile's identifier values by type. */
  identifiersOf(profileId: string): Record<string, string[]>;
}

/** Where one event's identifiers land, and what the caller must merge and attach. */
export interface IdentityResolution {
  /** The profile the event applies to: the surviving matched profile, or `newProfileId`. */
  profileId: string;
  /** True when nothing matched and `profileId` is the new profile. */
  created: boolean;
  /** Profiles to merge into `profileId` (with their identifiers); they then stop existing. */
  merged: string[];
  /** The event's identifiers that no profile holds yet, to attach to `profileId`. */
  added: Identifier[];
  /** The event's identifiers left out because keeping them would break a type's limit. */
  dropped: Identifier[];
  /** Keys of the kept identifiers that were found on existing profiles. */
  matchedOn: string[];
}

/** Identifier values by type, as a profile (or a union of profiles) holds them. */
type ValuesByType = Map<string, Set<string>>;

/**
 * Resolves an event's identifiers to one profile, Segment Unify style, deterministically and
 * without I/O. Identifiers are taken in priority order (most trusted first); each one is kept
 * when the union of everything kept so far, the profile it points at and itself respects every
 * type's `limit`, and dropped otherwise (with the profile it matched, which is then not merged).
 * So a conflict always costs the lower-priority side: an anonymous id shared by two users, or
 * an email shared by two `user_id`s, never fuses their profiles, while unrelated identifiers of
 * the event are still kept. The highest-priority identifier is always kept. The survivor is the
 * profile matched by the highest-priority kept identifier; the other matched profiles are merged.
 *
 * A profile that already holds more values than a (since tightened) limit still resolves: the
 * effective limit of a type is never below what one involved profile already holds.
 */
export function resolveIdentity(input: {
  identifiers: Identifier[];
  graph: IdentityGraph;
  rules: IdentityRules;
  /** Called only when no profile matches, so its cost is paid once per new profile. */
  newProfileId: () => string;
}): IdentityResolution {
  const { graph, rules, newProfileId } = input;
  let union: ValuesByType = new Map();
  let held = new Map<string, number>();
  const matched: string[] = [];
  const added: Identifier[] = [];
  const dropped: Identifier[] = [];
  const matchedOn: string[] = [];

  for (const [index, identifier] of uniqueIdentifiers(sortByPriority(input.identifiers, rules)).entries()) {
    const key = identifierKey(identifier);
    const profileId = graph.profileIdFor(key);
    const joining =
      profileId === undefined || matched.includes(profileId) ? undefined : graph.identifiersOf(profileId);
    const nextUnion = withValues(union, joining, identifier);
    const nextHeld = joining === undefined ? held : withCounts(held, joining);
    if (index > 0 && !fits({ union: nextUnion, held: nextHeld, rules })) {
      dropped.push(identifier);
      continue;
    }
    union = nextUnion;
    held = nextHeld;
    if (profileId === undefined) {
      added.push(identifier);
      continue;
    }
    matchedOn.push(key);
    if (!matched.includes(profileId)) matched.push(profileId);
  }

  const [survivor, ...merged] = matched;
  if (survivor === undefined)
    return { profileId: newProfileId(), created: true, merged: [], added, dropped, matchedOn };
  return { profileId: survivor, created: false, merged, added, dropped, matchedOn };
}

/** The union plus a joining profile's identifiers plus one identifier, as a new map. */
function withValues(
  union: ValuesByType,
  joining: Record<string, string[]> | undefined,
  identifier: Identifier,
): ValuesByType {
  const next: ValuesByType = new Map([...union].map(([type, values]) => [type, new Set(values)]));
  const add = (type: string, value: string): void => {
    const values = next.get(type) ?? new Set<string>();
    values.add(value);
    next.set(type, values);
  };
  for (const [type, values] of Object.entries(joining ?? {})) {
    for (const value of values) add(type, value);
  }
  add(identifier.type, identifier.value);
  return next;
}

/** The most values of each type any one involved profile holds, with a joining profile counted. */
function withCounts(held: Map<string, number>, joining: Record<string, string[]>): Map<string, number> {
  const next = new Map(held);
  for (const [type, values] of Object.entries(joining)) {
    next.set(type, Math.max(next.get(type) ?? 0, new Set(values).size));
  }
  return next;
}

function fits(input: { union: ValuesByType; held: Map<string, number>; rules: IdentityRules }): boolean {
  const { union, held, rules } = input;
  for (const [type, values] of union) {
    const { limit } = ruleFor(rules, type);
    if (limit !== undefined && values.size > Math.max(limit, held.get(type) ?? 0)) return false;
  }
  return true;
}
