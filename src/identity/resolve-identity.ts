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
  // Everything kept so far (the union), and the most values of each type any one involved
  // profile holds; both grow in place, checked before each step by `fitsWith`.
  const union: ValuesByType = new Map();
  const held = new Map<string, number>();
  const matched: string[] = [];
  const added: Identifier[] = [];
  const dropped: Identifier[] = [];
  const matchedOn: string[] = [];

  const ordered = uniqueIdentifiers(sortByPriority(input.identifiers, rules));
  for (let index = 0; index < ordered.length; index += 1) {
    const identifier = ordered[index] as Identifier;
    const key = identifierKey(identifier);
    const profileId = graph.profileIdFor(key);
    const joining =
      profileId === undefined || matched.includes(profileId) ? undefined : graph.identifiersOf(profileId);
    if (index > 0 && !fitsWith({ union, held, joining, identifier, rules })) {
      dropped.push(identifier);
      continue;
    }
    join({ union, held, joining, identifier });
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

interface Step {
  union: ValuesByType;
  held: Map<string, number>;
  /** The identifiers of a profile this step brings in, if it matches one not yet involved. */
  joining: Record<string, string[]> | undefined;
  identifier: Identifier;
}

/**
 * Whether the union would still respect every limit with the joining profile and the
 * identifier added. Only the types they touch can grow, and effective limits only grow, so
 * the types they do not touch still fit. Nothing is copied.
 */
function fitsWith(step: Step & { rules: IdentityRules }): boolean {
  const { union, held, joining, identifier, rules } = step;
  let identifierCounted = false;
  if (joining !== undefined) {
    for (const type in joining) {
      const values = joining[type] ?? [];
      const current = union.get(type);
      let size = current?.size ?? 0;
      for (const value of values) if (current === undefined || !current.has(value)) size += 1;
      if (type === identifier.type && !values.includes(identifier.value) && !current?.has(identifier.value)) {
        size += 1;
      }
      if (type === identifier.type) identifierCounted = true;
      const floor = Math.max(held.get(type) ?? 0, values.length);
      if (exceeds(rules, type, size, floor)) return false;
    }
  }
  if (!identifierCounted) {
    const current = union.get(identifier.type);
    const size = (current?.size ?? 0) + (current?.has(identifier.value) ? 0 : 1);
    if (exceeds(rules, identifier.type, size, held.get(identifier.type) ?? 0)) return false;
  }
  return true;
}

/** Adds the joining profile's identifiers and the identifier to the union, in place. */
function join(step: Step): void {
  const { union, held, joining, identifier } = step;
  if (joining !== undefined) {
    for (const type in joining) {
      const values = joining[type] ?? [];
      const set = valuesOf(union, type);
      for (const value of values) set.add(value);
      held.set(type, Math.max(held.get(type) ?? 0, values.length));
    }
  }
  valuesOf(union, identifier.type).add(identifier.value);
}

function valuesOf(union: ValuesByType, type: string): Set<string> {
  let values = union.get(type);
  if (values === undefined) {
    values = new Set();
    union.set(type, values);
  }
  return values;
}

/** True when `size` values of `type` break its limit, which never counts below `floor`. */
function exceeds(rules: IdentityRules, type: string, size: number, floor: number): boolean {
  const { limit } = ruleFor(rules, type);
  return limit !== undefined && size > Math.max(limit, floor);
}
