import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

/** 1,200 good lines (three people's orders) with a malformed line and a rejected call among them. */
function jsonl(): { text: string; lines: string[] } {
  const lines: string[] = [];
  for (let i = 0; i < 1_200; i += 1) {
    lines.push(
      JSON.stringify({
        type: 'track',
        userId: `u${i % 3}`,
        event: 'Order Completed',
        properties: { revenue: 10 },
        timestamp: '2026-03-01T09:00:00Z',
      }),
    );
    if (i === 499) lines.push('{"type": "track", "userId": ');
    if (i === 899) lines.push(JSON.stringify({ type: 'track', userId: 'u1' }));
  }
  return { text: `${lines.join('\n')}\n`, lines };
}

async function orders(userId: string): Promise<number> {
  const reply = await tailor.app.inject({
    url: `/v1/profiles/user_id:${userId}`,
    headers: { authorization: `Bearer ${tailor.adminKey}` },
  });
  return reply.json().computed.orders;
}

describe('tailor import', () => {
  it('sends every good line, reports bad ones by line number, and never doubles events on a re-run', async () => {
    const path = join(tempDir(), 'events.jsonl');
    await writeFile(path, jsonl().text);
    const connection = { url, writeKey: tailor.writeKey };

    const first = await importFile({ path, connection, log: () => undefined });
    expect(first.sent).toBe(1_200);
    expect(first.bad.map((bad) => bad.line)).toEqual([501, 902]);
    expect(first.bad[0]?.reason).toMatch(/invalid JSON/);
    expect(first.bad[1]?.reason).toMatch(/^MISSING_EVENT_NAME/);
    expect(await orders('u0')).toBe(400);

    const again = await importFile({ path, connection, log: () => undefined });
    expect(again.sent).toBe(0);
    expect(again.duplicates).toBe(1_200);
    expect(await orders('u0')).toBe(400);
  });

  it('resumes an interrupted import after the last acknowledged line', async () => {
    const path = join(tempDir(), 'events.jsonl');
    const { text, lines } = jsonl();
    await writeFile(path, text);
    const info = await stat(path);
    // As if an earlier run had been acknowledged up to line 1,000 and then stopped.
    const offset = Buffer.byteLength(`${lines.slice(0, 1_000).join('\n')}\n`);
    await writeFile(
      `${path}.tailor-import.json`,
      JSON.stringify({ size: info.size, mtimeMs: info.mtimeMs, offset, line: 1_001, sent: 998, bad: 2 }),
    );
    const logged: string[] = [];
    const summary = await importFile({
      path,
      connection: { url, writeKey: tailor.writeKey },
      log: (line) => logged.push(line),
    });
    expect(summary.resumedFrom).toBe(1_001);
    expect(summary.sent).toBe(lines.length - 1_000);
    expect(logged.join('\n')).toMatch(/resuming events\.jsonl at line 1001/);
  });
});
