import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLearningSnapshot } from '../../src/decide/learn/learning-snapshot.ts';
import { compileWorkspace } from '../../src/engine/compiled-workspace.ts';
import { EngineLearning } from '../../src/engine/engine-learning.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { learningActions, learningPlacements } from '../support/learning-sections.ts';
import { spawnTailor, stopTailor } from '../support/spawn-tailor.ts';
import { tempDir, workspaceYaml } from '../support/test-tailor.ts';

const WRITE_KEY = 'wk_e2e_learning_crash';
const PEOPLE = 200;
const auth = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;

/** Two actions and a placement that learn, an experiment and a holdout: every kind of learning record. */
const SECTIONS = `${learningActions('1d')}${learningPlacements('1d').slice(1)}holdout: { percent: 20, salt: s }
`;

async function post(url: string, path: string, body: Record<string, unknown>): Promise<number> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

describe('kill -9 while deciding and learning', () => {
  it('restarts into the learning state a count of the whole log gives, and keeps it at the clean stop', async () => {
    const dataDir = tempDir();
    const config = join(dataDir, 'tailor.yaml');
    writeFileSync(config, workspaceYaml('shop') + SECTIONS);
    const env = { TAILOR_WRITE_KEY: WRITE_KEY, TAILOR_CHECKPOINT_MS: '200', TAILOR_CONFIG: config };
    const first = await spawnTailor({ dataDir, env });
    let decided = 0;
    let stop = false;
    // Each sender: a person says who they are, is decided for (a placement that learns, one in an
    // experiment, the next best action), and one in three orders.
    const sender = async (id: number) => {
      for (let n = id; !stop; n += 3) {
        const anonymousId = `a${n % PEOPLE}`;
        try {
          await post(first.url, '/v1/identify', { anonymousId, traits: { plan: n % 2 ? 'pro' : 'free' } });
          const status = await post(first.url, '/v1/decide', {
            anonymousId,
            placements: ['hero', 'promo'],
            actions: true,
          });
          if (status === 200) decided += 1;
          if (n % 3 === 0)
            await post(first.url, '/v1/track', {
              anonymousId,
              event: 'Order Completed',
              properties: { revenue: n % 50 },
            });
        } catch {
          return; // the server is gone
        }
      }
    };
    const senders = [0, 1, 2].map(sender);
    while (decided < 900) await new Promise((r) => setTimeout(r, 50));
    first.child.kill('SIGKILL');
    stop = true;
    await Promise.all(senders);
    await stopTailor(first);

    // Restart: the kept state and the log past it; then a clean stop keeps the state at the end.
    const second = await spawnTailor({ dataDir, env });
    expect(await stopTailor(second)).toBe(0);

    const store = new SqliteStore({ path: join(dataDir, 'tailor.db') });
    try {
      const last = await store.lastSeq();
      expect(await store.viewCheckpoint()).toBe(last);
      const rows = await store.learningStates();
      expect(rows.map((row) => [row.workspaceId, row.seq])).toEqual([['shop', last]]);
      const kept = parseLearningSnapshot(rows[0]?.state ?? '');
      const stored = (await store.listWorkspaces()).find((workspace) => workspace.id === 'shop');
      if (stored === undefined) throw new Error('no workspace');
      const counted = new EngineLearning();
      await counted.warm({
        log: store,
        upTo: last,
        workspaces: [compileWorkspace(stored.definition, stored.version)],
      });
      const whole = counted.state('shop').snapshot();
      // Enough happened for the comparison to mean something: trials, conversions, kept decisions.
      expect(whole.groups.action[0]).toBeGreaterThan(300);
      expect(whole.groups.action[1]).toBeGreaterThan(10);
      expect(whole.recent.length).toBeGreaterThan(100);
      expect(kept).toEqual(whole);
    } finally {
      await store.close();
    }
  }, 120_000);
});
