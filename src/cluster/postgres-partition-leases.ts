import type pg from 'pg';
import { isConnectionError } from '../store/postgres/connection-error.ts';
import { StoreUnavailableError } from '../store/store-unavailable-error.ts';
import { type ClusterPoolOptions, openClusterPool } from './cluster-pool.ts';
import { type LeaseStatus, leaseLost, type PartitionLease } from './partition-lease.ts';

/** Where the leases live. */
export type PostgresPartitionLeasesOptions = ClusterPoolOptions;

/** BIGINT and timestamps arrive as strings; leases and checkpoints read them as numbers. */
interface LeaseRow {
  partition: number;
  owner: string;
  token: string;
  expires_ms: string;
  expired?: boolean;
}

function tables(s: string): string {
  return `CREATE SCHEMA IF NOT EXISTS "${s}";
CREATE TABLE IF NOT EXISTS "${s}".partition_leases (
  partition integer PRIMARY KEY,
  owner text NOT NULL,
  token bigint NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS "${s}".cluster_nodes (
  node text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS "${s}".partition_checkpoints (
  partition integer PRIMARY KEY,
  seq bigint NOT NULL,
  token bigint NOT NULL
);`;
}

/**
 * Partition leases with fencing tokens in PostgreSQL, and the per-partition checkpoint they
 * guard. Expiry is judged by the database's clock alone, so the nodes' clocks never need to
 * agree. A lease is taken only when free or run out, and taking it raises its token by one; a
 * fenced transaction locks the lease row (`FOR SHARE`) and goes on only while the token is
 * still the caller's, so a takeover waits for a commit in flight and every commit after the
 * takeover is refused with `PARTITION_LEASE_LOST`. The database being away is
 * `STORE_UNAVAILABLE`.
 */
export class PostgresPartitionLeases {
  private readonly pool: pg.Pool;
  private readonly schema: string;

  private constructor(pool: pg.Pool, schema: string) {
    this.pool = pool;
    this.schema = schema;
  }

  /** Connects and creates the tables when missing. */
  static async open(options: PostgresPartitionLeasesOptions): Promise<PostgresPartitionLeases> {
    const pool = openClusterPool(options, 4);
    const leases = new PostgresPartitionLeases(pool, options.schema);
    try {
      await leases.query(tables(options.schema));
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return leases;
  }

  /**
   * Takes the partition for `owner` for `ttlMs` when it is free or its lease ran out, with the
   * next token; `undefined` while another lease (this owner's own included: renew that) runs.
   */
  async acquire(input: {
    partition: number;
    owner: string;
    ttlMs: number;
  }): Promise<PartitionLease | undefined> {
    const { rows } = await this.query<LeaseRow>(
      `INSERT INTO "${this.schema}".partition_leases AS l (partition, owner, token, expires_at)
       VALUES ($1, $2, 1, now() + $3 * interval '1 millisecond')
       ON CONFLICT (partition) DO UPDATE
         SET owner = EXCLUDED.owner, token = l.token + 1, expires_at = EXCLUDED.expires_at
         WHERE l.expires_at <= now()
       RETURNING ${LEASE_COLUMNS}`,
      [input.partition, input.owner, input.ttlMs],
    );
    return rows[0] === undefined ? undefined : toLease(rows[0]);
  }

  /**
   * Extends the lease by `ttlMs` from now, while its token is still the partition's (even past
   * its expiry, as long as nobody took it since); `undefined` once another owner holds it.
   */
  async renew(lease: PartitionLease, ttlMs: number): Promise<PartitionLease | undefined> {
    const { rows } = await this.query<LeaseRow>(
      `UPDATE "${this.schema}".partition_leases
       SET expires_at = now() + $4 * interval '1 millisecond'
       WHERE partition = $1 AND owner = $2 AND token = $3
       RETURNING ${LEASE_COLUMNS}`,
      [lease.partition, lease.owner, lease.token, ttlMs],
    );
    return rows[0] === undefined ? undefined : toLease(rows[0]);
  }

  /** Ends the lease now, so another node may take the partition at once (with the next token). */
  async release(lease: PartitionLease): Promise<void> {
    await this.query(
      `UPDATE "${this.schema}".partition_leases SET expires_at = now()
       WHERE partition = $1 AND owner = $2 AND token = $3`,
      [lease.partition, lease.owner, lease.token],
    );
  }

  /** Every partition's lease, in partition order. */
  async list(): Promise<LeaseStatus[]> {
    const { rows } = await this.query<LeaseRow>(
      `SELECT ${LEASE_COLUMNS}, expires_at <= now() AS expired
       FROM "${this.schema}".partition_leases ORDER BY partition`,
    );
    return rows.map((row) => ({ ...toLease(row), expired: row.expired === true }));
  }

  /** Says `node` is alive for the next `ttlMs` (by the database's clock). */
  async heartbeat(node: string, ttlMs: number): Promise<void> {
    await this.query(
      `INSERT INTO "${this.schema}".cluster_nodes (node, expires_at) VALUES ($1, now() + $2 * interval '1 millisecond')
       ON CONFLICT (node) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
      [node, ttlMs],
    );
  }

  /** The nodes whose last heartbeat has not run out, sorted. */
  async liveNodes(): Promise<string[]> {
    const { rows } = await this.query<{ node: string }>(
      `SELECT node FROM "${this.schema}".cluster_nodes WHERE expires_at > now() ORDER BY node`,
    );
    return rows.map((row) => row.node);
  }

  /** Removes `node` from the live nodes at once (a clean stop). */
  async leave(node: string): Promise<void> {
    await this.query(`DELETE FROM "${this.schema}".cluster_nodes WHERE node = $1`, [node]);
  }

  /**
   * Runs `work` in one transaction that commits only while `lease` is the partition's current
   * lease: the view's writes and the checkpoint go in together, or not at all. Throws
   * `PARTITION_LEASE_LOST` (nothing of `work` committed) once the token moved on.
   */
  async fenced<T>(lease: PartitionLease, work: (client: pg.ClientBase) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw asStoreError(error);
    }
    // A connection that fails mid-transaction is not given back to the pool; while checked out,
    // the pool does not listen for its 'error', which unhandled would end the process.
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ token: string }>(
        `SELECT token FROM "${this.schema}".partition_leases WHERE partition = $1 FOR SHARE`,
        [lease.partition],
      );
      const current = rows[0] === undefined ? undefined : Number(rows[0].token);
      if (current !== lease.token) throw leaseLost(lease, current);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: unknown) => {
        broken = rollback instanceof Error ? rollback : new Error(String(rollback));
      });
      throw asStoreError(error);
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  /**
   * Records, inside `fenced`, that the partition's view reflects the log up to `seq`. A
   * checkpoint written under an older token than the one stored is refused too.
   */
  async writeCheckpoint(client: pg.ClientBase, lease: PartitionLease, seq: number): Promise<void> {
    const { rowCount } = await client.query(
      `INSERT INTO "${this.schema}".partition_checkpoints AS c (partition, seq, token) VALUES ($1, $2, $3)
       ON CONFLICT (partition) DO UPDATE SET seq = EXCLUDED.seq, token = EXCLUDED.token
         WHERE c.token <= EXCLUDED.token`,
      [lease.partition, seq, lease.token],
    );
    if (rowCount !== 1) throw leaseLost(lease, undefined);
  }

  /** The log position the partition's committed view reflects (0 before its first commit). */
  async readCheckpoint(partition: number): Promise<number> {
    const { rows } = await this.query<{ seq: string }>(
      `SELECT seq FROM "${this.schema}".partition_checkpoints WHERE partition = $1`,
      [partition],
    );
    return rows[0] === undefined ? 0 : Number(rows[0].seq);
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
      throw asStoreError(error);
    }
  }
}

const LEASE_COLUMNS = `partition, owner, token::text AS token,
  (extract(epoch FROM expires_at) * 1000)::bigint::text AS expires_ms`;

function toLease(row: LeaseRow): PartitionLease {
  return {
    partition: row.partition,
    owner: row.owner,
    token: Number(row.token),
    expiresAt: Number(row.expires_ms),
  };
}

function asStoreError(error: unknown): unknown {
  return isConnectionError(error) ? new StoreUnavailableError(error) : error;
}
