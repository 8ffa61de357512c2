import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_NETWORK_POLICY, DEMO_WORKSPACE_FILE } from '../../src/app/settings.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { ProfileState } from '../../src/profile/profile.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { readWorkspaceFile } from '../../src/workspace/read-workspace-file.ts';
import { spawnTailor, stopTailor } from '../support/spawn-tailor.ts';
import { tempDir } from '../support/test-tailor.ts';

const WRITE_KEY = 'wk_e2e_crash';
const PEOPLE = 300;
const auth = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;

/** One batch of a person-mixed stream: anonymous pages, sign-ups that merge, orders, clicks. */
function batch(sender: number, round: number): Record<string, unknown>[] {
  return Array.from({ length: 100 }, (_, i) => {
    const n = round * 100 + i;
    const person = (sender * 7919 + n * 31) % PEOPLE;
    const messageId = `s${sender}-r${round}-${i}`;
    const timestamp = new Date(Date.UTC(2026, 2, 1) + ((n * 104_729) % 86_400_000)).toISOString();
    switch (n % 4) {
      case 0:
        return {
          type: 'identify',
          messageId,
          timestamp,
          userId: `u${person}`,
          anonymousId: `a${person}`,
          traits: { email: `p${person}@example.com`, plan: `p${n % 3}` },
        };
      case 1:
        return { type: 'page', messageId, timestamp, anonymousId: `a${person}`, name: 'Pricing' };
      case 2:
        return {
          type: 'track',
          messageId,
          timestamp,
          userId: `u${person}`,
          event: 'Order Completed',
          properties: { revenue: n % 500 },
        };
      default:
        return {
          type: 'track',
          messageId,
          timestamp,
          anonymousId: `a${person}`,
          // Not a feedback name: a write key may not send those (RESERVED_EVENT).
          event: 'Link Clicked',
          properties: { channel: n % 3 ? 'email' : 'whatsapp' },
        };
    }
  });
}

async function profiles(store: SqliteStore): Promise<ProfileState[]> {
  const keys = Array.from({ length: PEOPLE }, (_, p) => `anonymous_id:a${p}`);
  const ids = await store.findProfileIds('demo', keys);
  return (await store.loadProfiles('demo', [...new Set(ids.values())])).sort((a, b) =>
    a.id.localeCompare(b.id),
  );
}

describe('kill -9 during heavy ingestion', () => {
  it('keeps every acknowledged event, and profiles equal a full replay', async () => {
    const dataDir = tempDir();
    const env = { TAILOR_WRITE_KEY: WRITE_KEY, TAILOR_CHECKPOINT_MS: '200' };
    const first = await spawnTailor({ dataDir, env });
    const acknowledged = new Set<string>();
    let stop = false;
    const sender = async (id: number) => {
      for (let round = 0; !stop; round += 1) {
        const events = batch(id, round);
        try {
          const response = await fetch(`${first.url}/v1/batch`, {
            method: 'POST',
            headers: { authorization: auth, 'content-type': 'application/json' },
            body: JSON.stringify({ batch: events }),
          });
          if (response.status === 200) for (const e of events) acknowledged.add(String(e.messageId));
        } catch {
          return; // the server is gone
        }
      }
    };
    const senders = [0, 1, 2, 3].map(sender);
    while (acknowledged.size < 20_000) await new Promise((r) => setTimeout(r, 50));
    first.child.kill('SIGKILL');
    stop = true;
    await Promise.all(senders);
    await stopTailor(first);

    // Restart: recovery replays what the view had not committed.
    const second = await spawnTailor({ dataDir, env });
    expect(await stopTailor(second)).toBe(0);

    const store = new SqliteStore({ path: join(dataDir, 'tailor.db') });
    const logged = new Set<string>();
    for (let after = 0; ; ) {
      const page = await store.readEvents({ afterSeq: after, limit: 10_000 });
      if (page.length === 0) break;
      for (const e of page) if (e.internal === undefined) logged.add(e.messageId);
      after = page.at(-1)!.seq;
    }
    const lost = [...acknowledged].filter((id) => !logged.has(id));
    expect(lost).toEqual([]);
    expect(await store.viewCheckpoint()).toBe(await store.lastSeq());
    const recovered = await profiles(store);
    expect(recovered.reduce((sum, p) => sum + p.eventCount, 0)).toBe(logged.size);

    // A full replay of the log through the same definition gives the same profiles. Its own
    // timers stay off: a timer firing now would move profiles on past what the log holds.
    const engine = await Engine.open({ store, timerIntervalMs: 3_600_000 });
    await engine.applyWorkspace(
      await readWorkspaceFile(DEMO_WORKSPACE_FILE, { network: DEMO_NETWORK_POLICY }),
    );
    await engine.commit();
    expect(await profiles(store)).toEqual(recovered);
    await engine.close();
  }, 120_000);
});
