import { afterEach, beforeEach } from 'vitest';
import type { SendRecord } from '../../../src/activate/send-record.ts';
import { DEFAULT_IDENTITY_RULES } from '../../../src/identity/identity-rules.ts';
import type { LoggedEvent, TailorEvent } from '../../../src/ingest/event.ts';
import type { ProfileState } from '../../../src/profile/profile.ts';
import type { DerivedEventRow, MergeRecord, ViewCommit } from '../../../src/store/ports/view-store.ts';
import type { Store } from '../../../src/store/store.ts';
import type { WorkspaceDefinition } from '../../../src/workspace/workspace.ts';

export const T0 = Date.parse('2026-03-01T10:00:00Z');

/** A track event with a fixed shape; `n` varies its time and properties. */
export function event(messageId: string, n = 0): TailorEvent {
  return {
    type: 'track',
    event: 'Order Completed',
    messageId,
    timestamp: T0 + n * 1_000,
    receivedAt: T0 + n * 1_000 + 5,
    userId: `u-${messageId}`,
    properties: { revenue: n, nested: { list: [1, 'two', null] } },
    traits: {},
    context: { ip: '203.0.113.7' },
    integrations: {},
  };
}

/** A small profile state, as the profile stage would store it. */
export function profile(workspaceId: string, id: string, email = `${id}@example.com`): ProfileState {
  return {
    id,
    workspaceId,
    identifiers: { email: [email] },
    traits: { plan: { value: 'pro', at: T0 } },
    computed: {},
    consent: { email: { granted: true, at: T0, source: 'context.consent' } },
    firstSeen: T0,
    lastSeen: T0 + 1_000,
    recent: [{ messageId: `m-${id}`, type: 'track', name: 'Order Completed', timestamp: T0 }],
    mergedIds: [],
    eventCount: 1,
  };
}

/** `profile` with its next timer moment set to `due` (or none). */
export function withDue(workspaceId: string, id: string, due: number | undefined): ProfileState {
  const audience = { segments: {}, risks: {}, stage: null, pending: {}, at: T0 };
  return { ...profile(workspaceId, id), audience: due === undefined ? audience : { ...audience, due } };
}

/** An event derived for `profileId` from the event (or timer record) at `seq`, `ord`-th of that cause. */
export function derived(
  workspaceId: string,
  profileId: string,
  seq: number,
  ord: number,
  key = 'vip',
): DerivedEventRow {
  const loggedEvent: LoggedEvent = {
    type: 'track',
    event: 'Segment Entered',
    messageId: `derived:${profileId}:${seq}:${ord}`,
    timestamp: T0 + seq,
    receivedAt: T0 + seq,
    userId: `u-${profileId}`,
    properties: { segment: key },
    traits: {},
    context: {},
    integrations: {},
    seq,
    workspaceId,
  };
  return { workspaceId, profileId, event: loggedEvent, ord };
}

/** A workspace definition named `id`. */
export function workspace(id: string, name = `Workspace ${id}`): WorkspaceDefinition {
  return { id, name, identity: DEFAULT_IDENTITY_RULES, computedTraits: [], recentEventsLimit: 20 };
}

/** A view commit with nothing in it but `parts`. */
export function commit(parts: Partial<ViewCommit> & { checkpoint: number }): ViewCommit {
  return {
    rebuilt: [],
    profiles: [],
    deletedProfiles: [],
    identifiers: [],
    merges: [],
    eventLinks: [],
    derivedEvents: [],
    memberships: [],
    ...parts,
  };
}

/** A merge record of `fromId` into `intoId` caused by the event at `seq`. */
export function merge(workspaceId: string, fromId: string, intoId: string, seq: number): MergeRecord {
  return {
    workspaceId,
    fromId,
    intoId,
    messageId: `m-${seq}`,
    seq,
    identifiers: [`email:${fromId}@example.com`],
    at: T0 + seq,
  };
}

/** A pending send in the outbox of `workspaceId`, to `profileId`, created and due at `T0 + n`. */
export function send(workspaceId: string, id: string, n = 0, profileId = 'p1'): SendRecord {
  return {
    workspaceId,
    id,
    profileId,
    channel: 'email',
    to: `${profileId}@example.com`,
    content: { subject: `Hello ${id}`, text: 'Hi', nested: { list: [1, 'two', null] } },
    action: 'welcome',
    decisionId: `decision-${id}`,
    trigger: 'event:Signed Up',
    status: 'pending',
    attempts: 0,
    nextAttemptAt: T0 + n,
    createdAt: T0 + n,
    updatedAt: T0 + n,
  };
}

/** Appends events to one workspace and returns their seqs (all must be new). */
export async function append(store: Store, workspaceId: string, messageIds: string[]): Promise<number[]> {
  const outcomes = await store.appendEvents(
    messageIds.map((id, n) => ({ workspaceId, event: event(id, n) })),
  );
  return outcomes.map((outcome) => {
    if (outcome.kind !== 'appended') throw new Error('expected a new event');
    return outcome.seq;
  });
}

/** Opens a fresh, empty store of the adapter under test. */
export type OpenStore = () => Promise<Store>;

/**
 * Gives each test of the calling `describe` a fresh store from `open`, migrated, through `use`,
 * and closes it after the test.
 */
export function freshStoreEach(open: OpenStore, use: (store: Store) => void): void {
  let store: Store | undefined;
  beforeEach(async () => {
    store = await open();
    await store.migrate();
    use(store);
  });
  afterEach(async () => {
    await store?.close();
  });
}
