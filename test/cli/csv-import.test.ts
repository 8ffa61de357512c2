import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseContactMap } from '../../src/cli/contact-map.ts';
import { importFile } from '../../src/cli/import-command.ts';
import { openTestTailor, type TestTailor, tempDir } from '../support/test-tailor.ts';

let tailor: TestTailor;
let url: string;

beforeEach(async () => {
  tailor = await openTestTailor();
  url = await tailor.app.listen({ host: '127.0.0.1', port: 0 });
});
afterEach(async () => {
  await tailor.close();
});

const MAP = parseContactMap('email=Email,first_name=First Name,plan=Plan');

/**
 * `count` contacts (`c<i>@example.com`) under a header, each one line, except contact 7 whose
 * name holds a quoted comma and line break; bad rows are mixed in at known lines.
 */
function contactsCsv(count: number): { text: string; bad: Map<number, RegExp>; good: number } {
  const lines = ['Email,First Name,Plan,Notes'];
  const bad = new Map<number, RegExp>();
  for (let i = 0; i < count; i += 1) {
    if (i === 7) lines.push(`c${i}@example.com,"Ann, ""the first""\nof her name",pro,`);
    else lines.push(`c${i}@example.com,Name ${i},${i % 2 === 0 ? 'free' : 'pro'},`);
    // Line numbers count the header and contact 7's second line.
    if (i === 1_000) {
      lines.push('not-an-email,Broken,free,');
      bad.set(lines.length + 1, /not an email address/);
    }
    if (i === 50_000) {
      lines.push('c-x@example.com,Too,many,fields,here');
      bad.set(lines.length + 1, /5 fields where the header has 4/);
    }
    if (i === 90_000) {
      lines.push(',No Email,free,');
      bad.set(lines.length + 1, /no user_id, email or phone/);
    }
  }
  return { text: `${lines.join('\r\n')}\r\n`, bad, good: count };
}

/** Every identify call the log holds, by the contact's email. */
async function identifiesByEmail(): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (let after = 0; ; ) {
    const events = await tailor.store.readEvents({ afterSeq: after, limit: 10_000 });
    if (events.length === 0) return seen;
    for (const event of events) {
      after = event.seq;
      const email = event.traits.email;
      if (event.type === 'identify' && typeof email === 'string') seen.set(email, (seen.get(email) ?? 0) + 1);
    }
  }
}

describe('tailor import contacts.csv', () => {
  it('reports every bad row by its line, counting the lines of quoted line breaks', async () => {
    const path = join(tempDir(), 'few.csv');
    const csv = contactsCsv(1_200);
    await writeFile(path, csv.text.replace('c1100@example.com', '"c1100@example.com'));
    const summary = await importFile({
      path,
      connection: { url, writeKey: tailor.writeKey },
      log: () => undefined,
      map: MAP,
    });
    expect(summary.bad.map((bad) => bad.line)).toEqual([...csv.bad.keys(), 1104]);
    expect(summary.bad[0]?.reason).toMatch(/not an email address/);
    // A quote never closed swallows the rest of the file: the parser says so, at its line.
    expect(summary.bad.at(-1)?.reason).toMatch(/never closed/);
    expect(summary.sent).toBe(1_100);
  });

  // About 25 s on this project's 2-core machine: 100,000 rows through /v1/batch, twice started.
  it('imports 100k contacts, reports bad rows by line, and resumed after an interruption stores no contact twice', async () => {
    const path = join(tempDir(), 'contacts.csv');
    const csv = contactsCsv(100_000);
    await writeFile(path, csv.text);
    const connection = { url, writeKey: tailor.writeKey };

    // Stop the import while the server is taking its 60th batch: that batch is stored, but the
    // importer never hears so, as when a person presses Ctrl-C.
    const stop = new AbortController();
    let batches = 0;
    tailor.app.server.prependListener('request', (request) => {
      if (request.url === '/v1/batch' && ++batches === 60) stop.abort();
    });
    await expect(
      importFile({ path, connection, log: () => undefined, map: MAP, signal: stop.signal }),
    ).rejects.toThrow();

    const logged: string[] = [];
    const resumed = await importFile({ path, connection, log: (line) => logged.push(line), map: MAP });
    expect(logged.join('\n')).toMatch(/resuming contacts\.csv at line \d+/);
    expect(resumed.resumedFrom).toBeGreaterThan(29_000);
    expect(resumed.duplicates).toBe(500);
    // The bad rows past the point of resumption, each by its line (the first run saw the others).
    const badAfter = [...csv.bad].filter(([line]) => line >= resumed.resumedFrom);
    expect(badAfter.length).toBe(2);
    expect(resumed.bad.map((bad) => bad.line)).toEqual(badAfter.map(([line]) => line));
    for (const [index, [, reason]] of badAfter.entries()) expect(resumed.bad[index]?.reason).toMatch(reason);

    const seen = await identifiesByEmail();
    expect(seen.size).toBe(csv.good);
    expect([...seen.values()].every((count) => count === 1)).toBe(true);

    const ann = await tailor.app.inject({
      url: '/v1/profiles/email:c7@example.com',
      headers: { authorization: `Bearer ${tailor.adminKey}` },
    });
    expect(ann.json().traits).toMatchObject({ first_name: 'Ann, "the first"\nof her name', plan: 'pro' });
  }, 120_000);
});
