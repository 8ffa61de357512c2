import type pg from 'pg';
import type { LoggedEvent } from '../ingest/event.ts';
import { isConnectionError } from '../store/postgres/connection-error.ts';
import { StoreUnavailableError } from '../store/store-unavailable-error.ts';
import { type ClusterPoolOptions, openClusterPool } from './cluster-pool.ts';

/** Where the claims live: the cluster's shared schema. */
export type PostgresEventClaimsOptions = ClusterPoolOptions;

/**
 * Permanent de-duplication for the cluster's log, past JetStream's time-bounded window: each
 * (workspace, messageId) is claimed once, by the first copy an owner applies, as its (partition,
 * seq), and the claim never changes. An owner claims a batch before applying it and applies only
 * the events whose claim names themselves, so a copy published after the window is skipped
 * wherever it was routed, and a replay (after a crash or a takeover) reads the same claims and
 * skips the same copies. Claims are facts about positions in the log, the same whichever node
 * writes them, so they need no lease.
 */
export class PostgresEventClaims {
  private readonly pool: pg.Pool;
  private readonly schema: string;

  private constructor(pool: pg.Pool, schema: string) {
    this.pool = pool;
    this.schema = schema;
  }

  /** Connects and creates the claims table when missing. */
  static async open(options: PostgresEventClaimsOptions): Promise<PostgresEventClaims> {
    const pool = openClusterPool(options, 2);
    const claims = new PostgresEventClaims(pool, options.schema);
    try {
      await claims.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}";
CREATE TABLE IF NOT EXISTS "${options.schema}".event_claims (
  workspace_id text NOT NULL,
  message_id text NOT NULL,
  partition integer NOT NULL,
  seq bigint NOT NULL,
  PRIMARY KEY (workspace_id, message_id)
);`);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return claims;
  }

  /**
   * Claims the events of one partition, read in log order, and returns those that are the
   * applied copy of their (workspace, messageId): claimed now, or claimed by this very position
   * before (a replay). The others are copies of an event claimed elsewhere or earlier.
   */
  async firstCopies(partition: number, events: readonly LoggedEvent[]): Promise<LoggedEvent[]> {
    if (events.length === 0) return [];
    const workspaces = events.map((event) => event.workspaceId);
    const messageIds = events.map((event) => event.messageId);
    const seqs = events.map((event) => event.seq);
    // In log order, so a batch holding two copies claims the earlier one.
    await this.query(
      `INSERT INTO "${this.schema}".event_claims (workspace_id, message_id, partition, seq)
       SELECT w, m, $3, s FROM unnest($1::text[], $2::text[], $4::bigint[]) WITH ORDINALITY AS e(w, m, s, n)
       ORDER BY n
       ON CONFLICT (workspace_id, message_id) DO NOTHING`,
      [workspaces, messageIds, partition, seqs],
    );
    const { rows } = await this.query<{
      workspace_id: string;
      message_id: string;
      partition: number;
      seq: string;
    }>(
      `SELECT c.workspace_id, c.message_id, c.partition, c.seq::text AS seq
       FROM "${this.schema}".event_claims c
       JOIN unnest($1::text[], $2::text[]) AS e(w, m) ON c.workspace_id = e.w AND c.message_id = e.m`,
      [workspaces, messageIds],
    );
    const claimed = new Map<string, string>();
    for (const row of rows)
      claimed.set(claimKey(row.workspace_id, row.message_id), `${row.partition}:${row.seq}`);
    return events.filter(
      (event) => claimed.get(claimKey(event.workspaceId, event.messageId)) === `${partition}:${event.seq}`,
    );
  }

  /** Whether each (workspace, messageId) is claimed already: the edge's check before publishing. */
  async claimed(workspaceId: string, messageIds: readonly string[]): Promise<Set<string>> {
    if (messageIds.length === 0) return new Set();
    const { rows } = await this.query<{ message_id: string }>(
      `SELECT message_id FROM "${this.schema}".event_claims WHERE workspace_id = $1 AND message_id = ANY($2::text[])`,
      [workspaceId, [...messageIds]],
    );
    return new Set(rows.map((row) => row.message_id));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async query<R extends pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (error) {
      throw isConnectionError(error) ? new StoreUnavailableError(error) : error;
    }
  }
}

function claimKey(workspaceId: string, messageId: string): string {
  return `${workspaceId}\u0000${messageId}`;
}
