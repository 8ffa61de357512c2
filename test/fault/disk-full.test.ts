import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_NETWORK_POLICY, DEMO_WORKSPACE_FILE } from '../../src/app/settings.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { ProfileState } from '../../src/profile/profile.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { readWorkspaceFile } from '../../src/workspace/read-workspace-file.ts';
import { spawnTailor, stopTailor } from '../support/spawn-tailor.ts';
import { tempDir } from '../support/test-tailor.ts';

const WRITE_KEY = 'wk_disk_full';
const auth = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
const USERS = 200;

/** A small filesystem of its own (a 24 MB tmpfs), which a filler file can fill; needs root, as CI has. */
function mountSmallDisk(): string | undefined {
  const dir = tempDir('tailor-disk-full-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    return undefined;
  }
}

const disk = mountSmallDisk();

afterAll(() => {
  if (disk !== undefined) execFileSync('umount', ['-l', disk], { stdio: 'ignore' });
});

/** Batch `b`: 50 orders spread over the users, padded so the disk fills in a few seconds. */
function batch(b: number): Record<string, unknown>[] {
  return Array.from({ length: 50 }, (_, i) => ({
    type: 'track',
    messageId: `b${b}-${i}`,
    userId: `u${(b * 50 + i) % USERS}`,
    event: 'Order Completed',
    properties: { revenue: 1 + (i % 7), note: 'x'.repeat(100) },
  }));
}

/** Writes zeros to `path` until the disk has no room left. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(256 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    // ENOSPC: full, as intended.
  } finally {
    closeSync(fd);
  }
}

async function profiles(store: SqliteStore): Promise<ProfileState[]> {
  const keys = Array.from({ length: USERS }, (_, u) => `user_id:u${u}`);
  const ids = await store.findProfileIds('demo', keys);
  return (await store.loadProfiles('demo', [...new Set(ids.values())])).sort((a, b) =>
    a.id.localeCompare(b.id),
  );
}

// Mounting a tmpfs needs root (CI runs as root); elsewhere there is no small disk to fill.
describe.skipIf(disk === undefined)(
  'a disk that fills up under a running Tailor (SQLite on a 24 MB tmpfs)',
  () => {
    it('answers 503 STORE_FULL or WRITER_RECOVERING, stays up, resumes once space is freed, and loses nothing', async () => {
      const root = disk as string;
      const dataDir = join(root, 'data');
      mkdirSync(dataDir);
      const env = { TAILOR_WRITE_KEY: WRITE_KEY, TAILOR_CHECKPOINT_MS: '100', TAILOR_LOG_LEVEL: 'info' };
      const tailor = await spawnTailor({ dataDir, env });
      const post = async (b: number) => {
        const response = await fetch(`${tailor.url}/v1/batch`, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify({ batch: batch(b) }),
        });
        return {
          status: response.status,
          code: response.status === 200 ? undefined : ((await response.json()) as { code: string }).code,
          retryAfter: response.headers.get('retry-after'),
        };
      };

      const acknowledged = new Set<number>();
      let next = 0;
      for (; next < 10; next += 1) if ((await post(next)).status === 200) acknowledged.add(next);
      expect(acknowledged.size).toBe(10);

      fill(join(root, 'filler'));
      const refused = new Map<string, number>();
      // Until a second after the first refusal: appends may first fill room the WAL's own file
      // already has (it is reused once checkpointed), so the fault can take a moment to show.
      let firstRefusal: number | undefined;
      const deadline = Date.now() + 15_000;
      for (; Date.now() < Math.min(deadline, (firstRefusal ?? deadline) + 1_000); next += 1) {
        const answer = await post(next);
        if (answer.status === 200) acknowledged.add(next);
        else {
          expect(answer.status).toBe(503);
          expect(answer.retryAfter).toBe('1');
          refused.set(answer.code ?? '', (refused.get(answer.code ?? '') ?? 0) + 1);
          firstRefusal ??= Date.now();
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(tailor.child.exitCode).toBeNull();
      expect([...refused.keys()].every((code) => code === 'STORE_FULL' || code === 'WRITER_RECOVERING')).toBe(
        true,
      );
      // Whichever write met the full disk first (an append: STORE_FULL; a view commit: the writer
      // stops), ingestion was refused, and the fault was logged as one.
      expect([...refused.values()].reduce((sum, count) => sum + count, 0)).toBeGreaterThan(0);
      expect(tailor.output()).toContain('storage fault');
      // Alive all along. (Readiness is not sampled here: once the WAL is checkpointed its own
      // file has room to reuse, so the writer may recover between two refusals, disk still full.)
      expect((await fetch(`${tailor.url}/health`)).status).toBe(200);

      // Free the space: every refused batch goes through on retry, with the same messageIds.
      rmSync(join(root, 'filler'));
      for (let b = 0; b < next; b += 1) {
        for (let attempt = 0; !acknowledged.has(b); attempt += 1) {
          const answer = await post(b);
          if (answer.status === 200) acknowledged.add(b);
          else if (attempt > 200) throw new Error(`batch ${b} was never accepted: ${answer.code}`);
          else await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
      expect((await fetch(`${tailor.url}/ready`)).status).toBe(200);
      expect(tailor.output()).toContain('the writer recovered');
      expect(await stopTailor(tailor)).toBe(0);

      const store = new SqliteStore({ path: join(dataDir, 'tailor.db') });
      const logged = new Set<string>();
      for (let after = 0; ; ) {
        const page = await store.readEvents({ afterSeq: after, limit: 10_000, workspaceId: 'demo' });
        if (page.length === 0) break;
        for (const event of page) if (event.event === 'Order Completed') logged.add(event.messageId);
        after = page.at(-1)?.seq ?? after;
      }
      expect(logged.size).toBe(next * 50);
      expect(await store.viewCheckpoint()).toBe(await store.lastSeq());
      const stored = await profiles(store);
      expect(stored.reduce((sum, profile) => sum + profile.eventCount, 0)).toBe(next * 50);

      // A full replay of the log through the same definition gives the same profiles. Its own
      // timers stay off: a timer firing now would move profiles on past what the log holds.
      const engine = await Engine.open({ store, timerIntervalMs: 3_600_000 });
      await engine.applyWorkspace(
        await readWorkspaceFile(DEMO_WORKSPACE_FILE, { network: DEMO_NETWORK_POLICY }),
      );
      await engine.commit();
      expect(await profiles(store)).toEqual(stored);
      await engine.close();
    }, 120_000);

    it('an append on a full disk fails with STORE_FULL and writes nothing; it succeeds once space is freed', async () => {
      const root = disk as string;
      const store = new SqliteStore({ path: join(root, 'store', 'tailor.db') });
      await store.migrate();
      const batch = Array.from({ length: 50 }, (_, i) => ({
        workspaceId: 'shop',
        event: {
          type: 'track' as const,
          messageId: `full-${i}`,
          userId: 'u1',
          event: 'Order Completed',
          timestamp: 1,
          receivedAt: 1,
          properties: { note: 'x'.repeat(20_000) },
          traits: {},
          context: {},
          integrations: {},
        },
      }));
      fill(join(root, 'filler-2'));
      await expect(store.appendEvents(batch)).rejects.toMatchObject({ code: 'STORE_FULL' });
      expect(await store.lastSeq()).toBe(0);
      rmSync(join(root, 'filler-2'));
      const outcomes = await store.appendEvents(batch);
      expect(outcomes.map((outcome) => outcome.kind)).toEqual(batch.map(() => 'appended'));
      await store.close();
    });
  },
);
