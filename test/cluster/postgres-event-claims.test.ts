import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventClaims } from '../../src/cluster/postgres-event-claims.ts';
import { type LoggedEvent, toLoggedEvent } from '../../src/ingest/event.ts';

const PG_URL = process.env['TAILOR_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `tailor_claims_${process.pid}_${randomBytes(4).toString('hex')}`;
let claims: PostgresEventClaims;

function logged(messageId: string, seq: number, workspaceId = 'w1'): LoggedEvent {
  return toLoggedEvent(
    {
      type: 'track',
      messageId,
      timestamp: 0,
      receivedAt: 0,
      userId: 'u1',
      event: 'Order Completed',
      properties: {},
      traits: {},
      context: {},
      integrations: {},
    },
    seq,
    workspaceId,
  );
}

const ids = (events: LoggedEvent[]) => events.map((event) => `${event.messageId}@${event.seq}`);

beforeAll(async () => {
  claims = await PostgresEventClaims.open({ connectionString: PG_URL, schema: SCHEMA });
});

afterAll(async () => {
  await claims.close();
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await admin.end();
});

describe('message-id claims on the real PostgreSQL', () => {
  it('applies the first copy of each (workspace, messageId), and the same copies again on a replay', async () => {
    const batch = [logged('a', 1), logged('b', 2), logged('a', 3), logged('a', 4, 'w2')];
    expect(ids(await claims.firstCopies(0, batch))).toEqual(['a@1', 'b@2', 'a@4']);
    // A replay of the same positions (after a crash or a takeover) makes the same choice.
    expect(ids(await claims.firstCopies(0, batch))).toEqual(['a@1', 'b@2', 'a@4']);
  });

  it('skips a copy published after the window, on any partition, and tells the edge it is claimed', async () => {
    await claims.firstCopies(1, [logged('late', 10)]);
    expect(await claims.firstCopies(2, [logged('late', 500), logged('fresh', 501)])).toMatchObject([
      { messageId: 'fresh', seq: 501 },
    ]);
    expect(await claims.firstCopies(1, [logged('late', 900)])).toEqual([]);
    expect([...(await claims.claimed('w1', ['late', 'fresh', 'never']))].sort()).toEqual(['fresh', 'late']);
    expect(await claims.claimed('w2', ['late'])).toEqual(new Set());
  });
});
