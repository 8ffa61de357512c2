import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import type { TailorEvent } from '../../src/ingest/event.ts';
import type { ProfileState } from '../../src/profile/profile.ts';
import { toProfileView } from '../../src/profile/profile-view.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { tempDir, workspaceYaml } from '../support/test-tailor.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');

/** A deterministic stream: 40 people, anonymous browsing, sign-ups that merge, orders, clicks. */
function events(count: number): TailorEvent[] {
  const out: TailorEvent[] = [];
  for (let i = 0; i < count; i += 1) {
    const person = Math.floor(i / 5) % 40;
    const base = {
      messageId: `m-${i}`,
      timestamp: T0 + ((i * 7919) % 100_000) * 1000,
      receivedAt: T0 + i,
      properties: {},
      traits: {},
      context: {},
      integrations: {},
    };
    if (i % 5 === 0) {
      out.push({
        ...base,
        type: 'identify',
        userId: `u${person}`,
        anonymousId: `a${person}`,
        traits: { email: `p${person}@x.com`, n: i },
      });
    } else if (i % 5 === 1) {
      out.push({ ...base, type: 'page', anonymousId: `a${person}`, name: 'Pricing' });
    } else if (i % 5 === 2) {
      out.push({
        ...base,
        type: 'track',
        userId: `u${person}`,
        event: 'Order Completed',
        properties: { revenue: i },
      });
    } else {
      out.push({
        ...base,
        type: 'track',
        anonymousId: `a${person}`,
        event: 'Message Clicked',
        properties: { channel: i % 3 ? 'email' : 'whatsapp' },
      });
    }
  }
  return out;
}

async function profilesOf(store: SqliteStore, count: number): Promise<ProfileState[]> {
  const ids = await store.findProfileIds(
    'shop',
    Array.from({ length: count }, (_, p) => `user_id:u${p}`),
  );
  const profiles = await store.loadProfiles('shop', [...new Set(ids.values())]);
  return profiles.sort((a, b) => a.id.localeCompare(b.id));
}

describe('recovery', () => {
  it('rebuilds the uncommitted view by replaying the log past the checkpoint', async () => {
    const path = join(tempDir(), 'tailor.db');
    const all = events(2_000);

    // A first engine commits part of its view, then "crashes": its memory is simply dropped.
    const crashedStore = new SqliteStore({ path });
    const first = await Engine.open({
      store: crashedStore,
      checkpointIntervalMs: 3_600_000,
      commitEveryEvents: 1_000_000,
    });
    await first.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop') }));
    await first.ingest('shop', all.slice(0, 700));
    await first.commit();
    await first.ingest('shop', all.slice(700));
    expect(await crashedStore.viewCheckpoint()).toBeLessThan(await crashedStore.lastSeq());
    // The crash closes the file (and frees its writer lock) as the OS would; nothing is committed.
    await crashedStore.close();

    // The second engine opens the same file: it replays what the first never committed.
    const recoveredStore = new SqliteStore({ path });
    const recovered = await Engine.open({ store: recoveredStore, checkpointIntervalMs: 3_600_000 });
    await recovered.commit();
    const afterRecovery = await profilesOf(recoveredStore, 40);

    // A full replay through the same definition gives the same profiles.
    await recovered.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop') }));
    const afterReplay = await profilesOf(recoveredStore, 40);
    expect(afterRecovery).toHaveLength(40);
    expect(afterRecovery).toEqual(afterReplay);
    expect(afterRecovery.reduce((sum, p) => sum + p.eventCount, 0)).toBe(2_000);
    await recovered.close();
  });

  it('finishes a rebuild that was cut short when it opens again', async () => {
    const path = join(tempDir(), 'tailor.db');
    const first = await Engine.open({ store: new SqliteStore({ path }), checkpointIntervalMs: 3_600_000 });
    await first.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop') }));
    await first.ingest('shop', events(500));
    await first.close();

    // A new definition was saved but the process died before the rebuilt view was committed.
    const changed = parseWorkspaceYaml({
      text: workspaceYaml(
        'shop',
        '  - key: pricing_views\n    aggregate: count\n    event_types: [page]\n    events: [Pricing]\n',
      ),
    });
    const crashed = new SqliteStore({ path });
    await crashed.migrate();
    const saved = await crashed.saveWorkspace(changed);
    expect((await crashed.getWorkspace('shop'))?.viewVersion).toBeLessThan(saved.version);
    await crashed.close();

    const store = new SqliteStore({ path });
    const reopened = await Engine.open({ store, checkpointIntervalMs: 3_600_000 });
    expect((await store.getWorkspace('shop'))?.viewVersion).toBe(saved.version);
    const compiled = reopened.workspace('shop');
    expect(compiled?.version).toBe(saved.version);
    const profile = await reopened.reads.findProfile('shop', 'user_id:u0');
    const pageViews = events(500).filter((e) => e.type === 'page' && e.anonymousId === 'a0').length;
    expect(pageViews).toBeGreaterThan(0);
    if (profile === undefined || compiled === undefined) throw new Error('profile u0 is missing');
    const view = toProfileView({ profile, compiled: compiled.computed, now: T0 });
    expect(view.computed.pricing_views).toBe(pageViews);
    await reopened.close();
  });
});
