import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { SQLITE_SCHEMA_V4 } from '../store/sqlite-schema-v4.ts';
import {
  bearer,
  openTestTailor,
  sendAccepted,
  type TestTailor,
  tempDir,
  workspaceYaml,
} from '../support/test-tailor.ts';

/** What only the erased person's data contains: each must be gone from every file. */
const SECRETS = ['mallory.erase@example.org', '98450 77123', '9845077123', 'Zebulon-Quixotic'];
/** What only another person's data contains: it must still be there (the check reads the right bytes). */
const KEPT = 'kept.person@example.org';

/** How often `needle` occurs in the raw bytes of every file of `dir` (db, -wal, -shm, anything). */
function occurrences(dir: string, needle: string): number {
  let count = 0;
  for (const name of readdirSync(dir)) {
    const bytes = readFileSync(join(dir, name));
    const wanted = Buffer.from(needle, 'utf8');
    for (let at = bytes.indexOf(wanted); at !== -1; at = bytes.indexOf(wanted, at + 1)) count += 1;
  }
  return count;
}

function found(dir: string): Record<string, number> {
  return Object.fromEntries(SECRETS.map((secret) => [secret, occurrences(dir, secret)]));
}

const NONE = Object.fromEntries(SECRETS.map((secret) => [secret, 0]));

let t: TestTailor | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

function admin(tailor: TestTailor, method: 'GET' | 'DELETE', url: string) {
  return tailor.app.inject({ method, url, headers: { authorization: bearer(tailor.adminKey) } });
}

/**
 * Many people, then the person: identify, page views, orders, each view commit rewriting the
 * profile JSON (so older copies of it land in freed pages), and enough rows around it that
 * tables and indexes have interior pages.
 */
async function crowdAndPerson(tailor: TestTailor): Promise<void> {
  for (let n = 0; n < 300; n += 1) {
    await sendAccepted(tailor, '/v1/identify', {
      userId: `crowd-${n}`,
      traits: { email: n === 0 ? KEPT : `crowd-${n}@example.net`, first_name: `Crowd ${n}` },
    });
  }
  await tailor.engine.commit();
  await sendAccepted(tailor, '/v1/identify', {
    userId: 'mallory-1',
    anonymousId: 'anon-mallory',
    traits: { email: 'Mallory.Erase@example.org', phone: '+91 98450 77123', first_name: 'Zebulon-Quixotic' },
  });
  for (let n = 0; n < 12; n += 1) {
    await sendAccepted(tailor, '/v1/track', {
      userId: 'mallory-1',
      event: 'Order Completed',
      properties: { revenue: 100 + n, note: 'Zebulon-Quixotic at mallory.erase@example.org, 98450 77123' },
    });
    await sendAccepted(tailor, '/v1/identify', {
      userId: 'mallory-1',
      traits: { last_seen_order: n, first_name: 'Zebulon-Quixotic' },
    });
    await tailor.engine.commit();
  }
}

describe('erase leaves nothing on disk (SQLite)', () => {
  it('removes every byte of the person from the db, -wal and -shm when the erase answers, and after a clean stop', async () => {
    const dir = tempDir('tailor-erase-');
    t = await openTestTailor({ path: join(dir, 'tailor.db') });
    await crowdAndPerson(t);
    expect(found(dir)['mallory.erase@example.org']).toBeGreaterThan(0);

    const erased = await admin(t, 'DELETE', '/v1/profiles/user_id:mallory-1');
    expect(erased.statusCode).toBe(200);
    expect(erased.json().events).toBe(25);
    expect(found(dir)).toEqual(NONE);

    await t.close();
    t = undefined;
    expect(found(dir)).toEqual(NONE);
    expect(occurrences(dir, KEPT)).toBeGreaterThan(0);
  });

  it('scrubs pages an older Tailor freed without zeroing them when it opens that database', async () => {
    const dir = tempDir('tailor-erase-old-');
    const path = join(dir, 'tailor.db');
    const old = new Database(path);
    old.pragma('journal_mode = WAL');
    old.pragma('secure_delete = OFF');
    old.exec(SQLITE_SCHEMA_V4);
    const body = JSON.stringify({
      traits: { email: SECRETS[0], first_name: SECRETS[3] },
      pad: 'x'.repeat(9000),
    });
    const insert = old.prepare(
      'INSERT INTO events (workspace_id, message_id, timestamp, body) VALUES (?, ?, ?, ?)',
    );
    for (let n = 0; n < 20; n += 1) insert.run('shop', `m-${n}`, n, n === 0 ? body : `{"n":${n}}`);
    old.prepare("DELETE FROM events WHERE message_id = 'm-0'").run();
    old.close();
    expect(occurrences(dir, SECRETS[0] ?? '')).toBeGreaterThan(0);

    t = await openTestTailor({ path });
    expect(occurrences(dir, SECRETS[0] ?? '')).toBe(0);
    expect(occurrences(dir, SECRETS[3] ?? '')).toBe(0);
  });
});
