import pg from 'pg';
import { TailorError } from '../../errors.ts';

/** How far the writer has taken the schema: the log's last seq and the view's checkpoint. */
export interface WriterFence {
  seq: number;
  checkpoint: number;
}

/** What the lock needs to know about the store it guards. */
export interface PostgresWriterLockOptions {
  connectionString: string;
  schema: string;
  /** How long a query on the lock's connection may wait for the server (ms); see PostgresStoreOptions. */
  queryTimeoutMs: number;
  /** Reads the schema's fence on the lock's connection; `undefined` while its tables do not exist yet. */
  readFence(client: pg.Client): Promise<WriterFence | undefined>;
}

type LockState =
  | { kind: 'free' }
  | { kind: 'held'; client: pg.Client }
  | { kind: 'lost' }
  | { kind: 'refused' }
  | { kind: 'closed' };

/**
 * The session-level advisory lock on a 64-bit key derived from the schema name (`md5` of
 * `tailor.writer:<schema>`): the lock `migrate` takes per transaction uses another key.
 */
const TRY_LOCK = `SELECT pg_try_advisory_lock(('x' || left(md5('tailor.writer:' || $1::text), 16))::bit(64)::bigint) AS granted`;
const UNLOCK = `SELECT pg_advisory_unlock(('x' || left(md5('tailor.writer:' || $1::text), 16))::bit(64)::bigint)`;

/**
 * One writer per PostgreSQL schema: a session advisory lock held on a connection of its own
 * for the store's lifetime (the pool's connections come and go, and a session lock lives only
 * as long as its session). When that connection dies (a database restart, a failover, a
 * killed backend) the server has dropped the lock; the store then takes it again before its
 * next write, and goes on only if no other process took it or wrote to the schema meanwhile
 * (the log's last seq and the checkpoint are where this store left them). Otherwise every
 * write fails with `STORE_LOCK_LOST` until the process restarts and replays.
 */
export class PostgresWriterLock {
  private readonly options: PostgresWriterLockOptions;
  private state: LockState = { kind: 'free' };
  private fence: WriterFence | undefined;
  private taking: Promise<void> | undefined;

  constructor(options: PostgresWriterLockOptions) {
    this.options = options;
  }

  /** True while the lock's connection is up: a write may go ahead without a round trip. */
  get held(): boolean {
    return this.state.kind === 'held';
  }

  /** Takes the lock (again, after its connection died), or throws `STORE_LOCKED` / `STORE_LOCK_LOST`. */
  take(): Promise<void> {
    if (this.state.kind === 'held') return Promise.resolve();
    this.taking ??= this.takeOnce().finally(() => {
      this.taking = undefined;
    });
    return this.taking;
  }

  /** Records where the schema now stands, as this store wrote it (ignored when behind). */
  remember(fence: WriterFence): void {
    this.fence = {
      seq: Math.max(fence.seq, this.fence?.seq ?? 0),
      checkpoint: Math.max(fence.checkpoint, this.fence?.checkpoint ?? 0),
    };
  }

  /** Reads the schema's fence on the lock's connection and remembers it (after `migrate` created the tables). */
  async rememberCurrent(): Promise<void> {
    if (this.state.kind !== 'held') return;
    const fence = await this.options.readFence(this.state.client);
    if (fence !== undefined) this.remember(fence);
  }

  /** Unlocks and closes the lock's connection; the lock cannot be taken again. */
  async release(): Promise<void> {
    await this.taking?.catch(() => undefined);
    const state = this.state;
    this.state = { kind: 'closed' };
    if (state.kind !== 'held') return;
    try {
      await state.client.query(UNLOCK, [this.options.schema]);
    } finally {
      // Ending the session drops the lock too, should the unlock itself have failed.
      await state.client.end().catch(() => undefined);
    }
  }

  private async takeOnce(): Promise<void> {
    const before = this.state.kind;
    if (before === 'refused') throw lockLost(this.options.schema);
    if (before === 'closed') throw new Error('the PostgreSQL store is closed');
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      keepAlive: true,
      query_timeout: this.options.queryTimeoutMs,
      application_name: `tailor writer lock (${this.options.schema})`,
    });
    // An unhandled 'error' would end the process. The server dropped the lock with the session:
    // the next write takes it again.
    const onGone = () => {
      if (this.state.kind === 'held' && this.state.client === client) this.state = { kind: 'lost' };
    };
    client.on('error', onGone);
    client.on('end', onGone);
    try {
      await client.connect();
      const { rows } = await client.query<{ granted: boolean }>(TRY_LOCK, [this.options.schema]);
      if (rows[0]?.granted !== true) {
        if (before === 'lost') this.state = { kind: 'refused' };
        throw before === 'lost' ? lockLost(this.options.schema) : locked(this.options.schema);
      }
      const now = await this.options.readFence(client);
      if (before === 'lost' && this.fence !== undefined && now !== undefined && moved(this.fence, now)) {
        this.state = { kind: 'refused' };
        throw lockLost(this.options.schema);
      }
      if (now !== undefined) this.remember(now);
      this.state = { kind: 'held', client };
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }
}

/** Another process wrote while this one did not hold the lock: its view no longer follows the log. */
function moved(known: WriterFence, now: WriterFence): boolean {
  return now.seq > known.seq || now.checkpoint !== known.checkpoint;
}

function locked(schema: string): TailorError {
  return new TailorError(
    'STORE_LOCKED',
    `the PostgreSQL schema "${schema}" is in use by another Tailor process (it holds the schema's writer lock): stop that process, or start this one with another ?schema=`,
  );
}

function lockLost(schema: string): TailorError {
  return new TailorError(
    'STORE_LOCK_LOST',
    `the connection holding the writer lock of the PostgreSQL schema "${schema}" dropped, and another process took the lock or wrote to the schema since: this Tailor stopped writing; restart it once only one Tailor uses the schema`,
  );
}
