import type { JsonObject, TailorEvent } from '../ingest/event.ts';
import { isJsonObject } from '../ingest/merge-objects.ts';
import { type Identifier, identifierKey } from './identifier.ts';
import type { IdentifierTypeRule, IdentityRules } from './identity-rules.ts';
import { normalizeIdentifier } from './normalize-identifier.ts';

/** One identifier as found in an event, before normalization. */
interface RawIdentifier {
  type: string;
  raw: unknown;
}

/** The rule that applies to an identifier type: its own, else the workspace's default rule. */
export function ruleFor(rules: IdentityRules, type: string): IdentifierTypeRule {
  return rules.types[type] ?? rules.defaultRule;
}

/**
 * What an event carries, read and normalized once: its identifiers (`userId`, `anonymousId`,
 * `email` and `phone` from `traits` then `context.traits`, `context.externalIds`), and an
 * alias's `previousId` read both ways, since only the identity graph tells which it is.
 */
export interface EventIdentifiers {
  found: Identifier[];
  previousAsUser?: Identifier | undefined;
  previousAsAnonymous?: Identifier | undefined;
}

/** Reads an event's identifiers; the engine does this once per event, for prefetch and apply. */
export function readEventIdentifiers(event: TailorEvent, rules: IdentityRules): EventIdentifiers {
  const read: EventIdentifiers = { found: normalizeAll(rawIdentifiers(event), rules) };
  if (event.previousId !== undefined) {
    read.previousAsUser = normalizeIdentifier({ type: 'user_id', raw: event.previousId, rules });
    read.previousAsAnonymous = normalizeIdentifier({ type: 'anonymous_id', raw: event.previousId, rules });
  }
  return read;
}

/**
 * Every identifier key (`type:value`) an event can resolve through, found without the identity
 * graph, so the engine can prefetch them in one store query; `previousId` appears both ways.
 */
export function candidateKeys(read: EventIdentifiers): string[] {
  const keys = read.found.map(identifierKey);
  if (read.previousAsUser !== undefined) keys.push(identifierKey(read.previousAsUser));
  if (read.previousAsAnonymous !== undefined) keys.push(identifierKey(read.previousAsAnonymous));
  return keys;
}

/**
 * The identifiers an event resolves through, deduplicated and ordered by priority (most
 * trusted first; stable within one priority). An alias's `previousId` is a `user_id` when the
 * graph knows it as one (`isKnown`), else an `anonymous_id`.
 */
export function extractIdentifiers(
  read: EventIdentifiers,
  rules: IdentityRules,
  isKnown: (key: string) => boolean,
): Identifier[] {
  const { previousAsUser } = read;
  const previous =
    previousAsUser !== undefined && isKnown(identifierKey(previousAsUser))
      ? previousAsUser
      : read.previousAsAnonymous;
  const identifiers = previous === undefined ? read.found : uniqueIdentifiers([...read.found, previous]);
  return sortByPriority(identifiers, rules);
}

/** A stable sort of identifiers by their type's priority, lowest number (most trusted) first. */
export function sortByPriority(identifiers: Identifier[], rules: IdentityRules): Identifier[] {
  return identifiers
    .map((identifier, index) => ({ identifier, index, priority: ruleFor(rules, identifier.type).priority }))
    .sort((a, b) => a.priority - b.priority || a.index - b.index)
    .map(({ identifier }) => identifier);
}

/** Identifiers every event type can carry, in source order (userId and anonymousId first). */
function rawIdentifiers(event: TailorEvent): RawIdentifier[] {
  const contextTraits = objectAt(event.context, 'traits');
  const raws: RawIdentifier[] = [
    { type: 'user_id', raw: event.userId },
    { type: 'anonymous_id', raw: event.anonymousId },
    { type: 'email', raw: event.traits.email },
    { type: 'email', raw: contextTraits?.email },
    { type: 'phone', raw: event.traits.phone },
    { type: 'phone', raw: contextTraits?.phone },
  ];
  return raws.concat(externalIds(event.context));
}

/**
 * Segment's `context.externalIds`: `[{ id, type, collection?, encoding? }]`. Entries of another
 * collection than `users` (accounts, for instance) identify something else than a person.
 */
function externalIds(context: JsonObject): RawIdentifier[] {
  const list = context.externalIds;
  if (!Array.isArray(list)) return [];
  const raws: RawIdentifier[] = [];
  for (const entry of list) {
    if (!isJsonObject(entry) || typeof entry.type !== 'string') continue;
    if (entry.collection !== undefined && entry.collection !== 'users') continue;
    raws.push({ type: entry.type, raw: entry.id });
  }
  return raws;
}

function normalizeAll(raws: RawIdentifier[], rules: IdentityRules): Identifier[] {
  const identifiers: Identifier[] = [];
  for (const { type, raw } of raws) {
    const identifier = normalizeIdentifier({ type, raw, rules });
    if (identifier !== undefined) identifiers.push(identifier);
  }
  return uniqueIdentifiers(identifiers);
}

/** Identifiers without repeats (same `type:value`), first occurrence kept, order preserved. */
export function uniqueIdentifiers(identifiers: Identifier[]): Identifier[] {
  const byKey = new Map<string, Identifier>();
  for (const identifier of identifiers) {
    const key = identifierKey(identifier);
    if (!byKey.has(key)) byKey.set(key, identifier);
  }
  return [...byKey.values()];
}

function objectAt(object: JsonObject, field: string): JsonObject | undefined {
  const value = object[field];
  return isJsonObject(value) ? value : undefined;
}
