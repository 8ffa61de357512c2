import { extractIdentifiers, readEventIdentifiers } from '../../src/identity/extract-identifiers.ts';
import { identifierKey } from '../../src/identity/identifier.ts';
import type { IdentityRules } from '../../src/identity/identity-rules.ts';
import {
  type IdentityGraph,
  type IdentityResolution,
  resolveIdentity,
} from '../../src/identity/resolve-identity.ts';
import type { TailorEvent } from '../../src/ingest/event.ts';

/**
 * An in-memory identity graph that applies resolutions the way the engine does (merged
 * profiles' identifiers move to the survivor, `added` attach to it), for scenario tests.
 */
export class MemoryIdentityGraph implements IdentityGraph {
  /** Profile id → identifier values by type. */
  readonly profiles = new Map<string, Record<string, string[]>>();
  private readonly index = new Map<string, string>();
  private created = 0;

  profileIdFor(key: string): string | undefined {
    return this.index.get(key);
  }

  identifiersOf(profileId: string): Record<string, string[]> {
    return this.profiles.get(profileId) ?? {};
  }

  /** Extracts and resolves one event, applies the result; undefined when it carries no identifier. */
  apply(event: TailorEvent, rules: IdentityRules): IdentityResolution | undefined {
    const identifiers = extractIdentifiers(readEventIdentifiers(event, rules), rules, (key) =>
      this.index.has(key),
    );
    if (identifiers.length === 0) return undefined;
    this.created += 1;
    const resolution = resolveIdentity({
      identifiers,
      graph: this,
      rules,
      newProfileId: () => `p${this.created}`,
    });
    const into = this.profiles.get(resolution.profileId) ?? {};
    this.profiles.set(resolution.profileId, into);
    const attach = (type: string, value: string): void => {
      into[type] = [...(into[type] ?? []), value];
      this.index.set(identifierKey({ type, value }), resolution.profileId);
    };
    for (const fromId of resolution.merged) {
      for (const [type, values] of Object.entries(this.identifiersOf(fromId))) {
        for (const value of values) attach(type, value);
      }
      this.profiles.delete(fromId);
    }
    for (const { type, value } of resolution.added) attach(type, value);
    return resolution;
  }

  /** Every profile as its sorted identifier keys, profiles sorted by their first key. */
  snapshot(): string[][] {
    return [...this.profiles.values()]
      .map((identifiers) =>
        Object.entries(identifiers)
          .flatMap(([type, values]) => values.map((value) => identifierKey({ type, value })))
          .sort(),
      )
      .sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
  }
}

/** A minimal valid event of the given type; fields given override the defaults. */
export function makeEvent(fields: Partial<TailorEvent> & Pick<TailorEvent, 'type'>): TailorEvent {
  return {
    messageId: 'm',
    timestamp: 0,
    receivedAt: 0,
    properties: {},
    traits: {},
    context: {},
    integrations: {},
    ...fields,
  };
}
