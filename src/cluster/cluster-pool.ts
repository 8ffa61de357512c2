import pg from 'pg';

/** Where a cluster table lives, and how to reach it. */
export interface ClusterPoolOptions {
  connectionString: string;
  /** The schema shared by the cluster's nodes (the store's). */
  schema: string;
  /** Connections in the pool (each table's default otherwise). */
  poolSize?: number;
  /** How long a query may wait for the server (ms, default 5,000). */
  queryTimeoutMs?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens a pool for a cluster table after checking the schema name (it is written into SQL):
 * queries and connections time out, TCP keep-alive is on, and an idle connection the server
 * drops is discarded instead of ending the process with an unhandled 'error'.
 */
export function openClusterPool(options: ClusterPoolOptions, defaultSize: number): pg.Pool {
  if (!SCHEMA_NAME.test(options.schema)) {
    throw new Error(
      `PostgreSQL schema "${options.schema}" must be lower-case letters, digits and _, not starting with a digit`,
    );
  }
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? defaultSize,
    query_timeout: options.queryTimeoutMs ?? 5_000,
    connectionTimeoutMillis: options.queryTimeoutMs ?? 5_000,
    keepAlive: true,
  });
  pool.on('error', () => undefined);
  return pool;
}
