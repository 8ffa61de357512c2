import type pg from 'pg';
import { type Identifier, identifierKey, parseIdentifierKey } from '../identity/identifier.ts';
import type { IdentityRules } from '../identity/identity-rules.ts';
import {
  type IdentityGraph,
  type IdentityResolution,
  resolveIdentity,
} from '../identity/resolve-identity.ts';
import { isConnectionError } from '../store/postgres/connection-error.ts';
import { StoreUnavailableError } from '../store/store-unavailable-error.ts';
import { type ClusterPoolOptions, openClusterPool } from './cluster-pool.ts';

/** Where the directory lives: the cluster's shared schema. */
export type PostgresIdentifierDirectoryOptions = ClusterPoolOptions;

/**
 * SQLSTATEs of a transaction that lost to a concurrent one: a serialization failure, a
 * deadlock, or an identifier bound meanwhile by another edge. Run it again.
 */
const RETRY_STATES = new Set(['40001', '40P01', '23505']);
const MAX_ATTEMPTS = 50;

/**
 * The cluster's identity graph, shared and always current: which profile each identifier
 * (`type:value`) of a workspace points at. Resolution runs at the edge, before an event is
 * published, in one SERIALIZABLE transaction that reads the event's identifiers and the matched
 * profiles' identifiers, runs the same pure `resolveIdentity` the engine runs, and writes the
 * outcome: new identifiers bound, absorbed profiles' identifiers re-pointed to the survivor.
 * Two edges resolving events of one person at once end as if one ran after the other (the loser
 * of a conflict runs again), so a person never gets two profiles because their events reached
 * different nodes. The resolution then travels with the event to the survivor's partition.
 */
export class PostgresIdentifierDirectory {
  private readonly pool: pg.Pool;
  private readonly schema: string;

  private constructor(pool: pg.Pool, schema: string) {
    this.pool = pool;
    this.schema = schema;
  }

  /** Connects and creates the tables when missing. */
  static async open(options: PostgresIdentifierDirectoryOptions): Promise<PostgresIdentifierDirectory> {
    const pool = openClusterPool(options, 4);
    const s = options.schema;
    try {
      await pool.query(`CREATE SCHEMA IF NOT EXISTS "${s}";
CREATE TABLE IF NOT EXISTS "${s}".identifier_directory (
  workspace_id text NOT NULL,
  key text NOT NULL,
  profile_id text NOT NULL,
  PRIMARY KEY (workspace_id, key)
);
CREATE INDEX IF NOT EXISTS identifier_directory_profile ON "${s}".identifier_directory (workspace_id, profile_id);
CREATE TABLE IF NOT EXISTS "${s}".profile_merges (
  workspace_id text NOT NULL,
  merged_id text NOT NULL,
  into_id text NOT NULL,
  PRIMARY KEY (workspace_id, merged_id)
);`);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw isConnectionError(error) ? new StoreUnavailableError(error) : error;
    }
    return new PostgresIdentifierDirectory(pool, s);
  }

  /**
   * Resolves one event's identifiers and records the outcome; a conflict with a concurrent
   * resolution is retried, so the answer always reflects every resolution committed before it.
   */
  async resolve(input: {
    workspaceId: string;
    identifiers: Identifier[];
    rules: IdentityRules;
    newProfileId: () => string;
  }): Promise<IdentityResolution> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.resolveOnce(input);
      } catch (error) {
        const state = error instanceof Error && 'code' in error ? error.code : undefined;
        if (typeof state === 'string' && RETRY_STATES.has(state) && attempt < MAX_ATTEMPTS) {
          // Apart, at random, so the transactions that collided do not collide again in lockstep.
          await new Promise((resume) => setTimeout(resume, Math.random() * 2 ** Math.min(attempt, 7)));
          continue;
        }
        throw isConnectionError(error) ? new StoreUnavailableError(error) : error;
      }
    }
  }

  /** The profile an identifier points at now, if any. */
  async profileOf(workspaceId: string, identifier: Identifier): Promise<string | undefined> {
    try {
      const { rows } = await this.pool.query<{ profile_id: string }>(
        `SELECT profile_id FROM "${this.schema}".identifier_directory WHERE workspace_id = $1 AND key = $2`,
        [workspaceId, identifierKey(identifier)],
      );
      return rows[0]?.profile_id;
    } catch (error) {
      throw isConnectionError(error) ? new StoreUnavailableError(error) : error;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async resolveOnce(input: {
    workspaceId: string;
    identifiers: Identifier[];
    rules: IdentityRules;
    newProfileId: () => string;
  }): Promise<IdentityResolution> {
    const { workspaceId } = input;
    const table = `"${this.schema}".identifier_directory`;
    const client = await this.pool.connect();
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      const keys = [...new Set(input.identifiers.map(identifierKey))];
      const bound = await client.query<{ key: string; profile_id: string }>(
        `SELECT key, profile_id FROM ${table} WHERE workspace_id = $1 AND key = ANY($2::text[])`,
        [workspaceId, keys],
      );
      const profileOfKey = new Map(bound.rows.map((row) => [row.key, row.profile_id]));
      const profiles = [...new Set(profileOfKey.values())];
      const held = await client.query<{ key: string; profile_id: string }>(
        `SELECT key, profile_id FROM ${table} WHERE workspace_id = $1 AND profile_id = ANY($2::text[])`,
        [workspaceId, profiles],
      );
      const identifiersOf = new Map<string, Record<string, string[]>>();
      for (const row of held.rows) {
        const identifier = parseIdentifierKey(row.key);
        if (identifier === undefined) continue;
        const byType = identifiersOf.get(row.profile_id) ?? {};
        byType[identifier.type] = [...(byType[identifier.type] ?? []), identifier.value];
        identifiersOf.set(row.profile_id, byType);
      }
      const graph: IdentityGraph = {
        profileIdFor: (key) => profileOfKey.get(key),
        identifiersOf: (profileId) => identifiersOf.get(profileId) ?? {},
      };
      const resolution = resolveIdentity({
        identifiers: input.identifiers,
        graph,
        rules: input.rules,
        newProfileId: input.newProfileId,
      });
      if (resolution.merged.length > 0) {
        await client.query(
          `UPDATE ${table} SET profile_id = $2 WHERE workspace_id = $1 AND profile_id = ANY($3::text[])`,
          [workspaceId, resolution.profileId, resolution.merged],
        );
        await client.query(
          `INSERT INTO "${this.schema}".profile_merges (workspace_id, merged_id, into_id)
           SELECT $1, m, $2 FROM unnest($3::text[]) AS m
           ON CONFLICT (workspace_id, merged_id) DO UPDATE SET into_id = EXCLUDED.into_id`,
          [workspaceId, resolution.profileId, resolution.merged],
        );
        // Earlier merges into a profile absorbed now point on to the survivor: one hop, always.
        await client.query(
          `UPDATE "${this.schema}".profile_merges SET into_id = $2 WHERE workspace_id = $1 AND into_id = ANY($3::text[])`,
          [workspaceId, resolution.profileId, resolution.merged],
        );
      }
      if (resolution.added.length > 0) {
        await client.query(
          `INSERT INTO ${table} (workspace_id, key, profile_id) SELECT $1, k, $2 FROM unnest($3::text[]) AS k`,
          [workspaceId, resolution.profileId, resolution.added.map(identifierKey)],
        );
      }
      await client.query('COMMIT');
      return resolution;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: unknown) => {
        broken = rollback instanceof Error ? rollback : new Error(String(rollback));
      });
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }
}
