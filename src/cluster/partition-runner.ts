import type pg from 'pg';
import { isTailorError } from '../errors.ts';
import type { LoggedEvent } from '../ingest/event.ts';
import type { PartitionLog } from '../store/ports/partition-log.ts';
import type { PartitionLease } from './partition-lease.ts';
import type { PostgresEventClaims } from './postgres-event-claims.ts';
import type { PostgresPartitionLeases } from './postgres-partition-leases.ts';

/**
 * What a partition's owner keeps of its events: applied in log order in memory, written with
 * the checkpoint in one fenced transaction, forgotten when the lease is lost. The engine's view
 * is the real one; tests use small ones.
 */
export interface PartitionView {
  /** Applies events of the partition, in log order, after everything applied before. */
  apply(events: readonly LoggedEvent[]): void;
  /** Writes what changed since the last commit, inside the fenced transaction; keeps it marked changed. */
  write(client: pg.ClientBase): Promise<void>;
  /** The transaction of the last `write` committed: what it wrote is no longer a change. */
  committed(): void;
  /** Drops everything applied but not written: the lease is gone, the new owner replays it. */
  discard(): void;
}

/** The outcome of a commit: written, or refused because another node holds the partition now. */
export type CommitOutcome = 'committed' | 'lost';

/**
 * One partition in the hands of one node: the lease, the log position the committed view
 * reflects (`committedSeq`) and the one applied in memory (`appliedSeq`). Taking it reads the
 * checkpoint; `pull` replays or tails the partition's subject from where it is; `commit`
 * writes the view and the checkpoint under the lease's token. Once a commit is refused, the
 * runner is `lost` for good: its view is discarded and every later call refuses to work. A
 * commit that fails otherwise (the database away, a COMMIT in doubt) drops the view too, and the
 * next call starts again from the stored checkpoint: fail-stop, as the single process does.
 */
export class PartitionRunner {
  private readonly log: PartitionLog;
  private readonly leases: PostgresPartitionLeases;
  private readonly view: PartitionView;
  private readonly claims: PostgresEventClaims | undefined;
  private lease: PartitionLease;
  private committed: number;
  private applied: number;
  private isLost = false;
  /** A commit failed with its outcome unknown: re-read the checkpoint before going on. */
  private stale = false;

  private constructor(parts: {
    log: PartitionLog;
    leases: PostgresPartitionLeases;
    view: PartitionView;
    claims: PostgresEventClaims | undefined;
    lease: PartitionLease;
    checkpoint: number;
  }) {
    this.log = parts.log;
    this.leases = parts.leases;
    this.view = parts.view;
    this.claims = parts.claims;
    this.lease = parts.lease;
    this.committed = parts.checkpoint;
    this.applied = parts.checkpoint;
  }

  /**
   * Takes the partition's lease and reads its checkpoint; `undefined` while another node holds
   * it. With `claims`, only the first copy of each (workspace, messageId) is applied.
   */
  static async take(input: {
    log: PartitionLog;
    leases: PostgresPartitionLeases;
    view: PartitionView;
    claims?: PostgresEventClaims;
    partition: number;
    owner: string;
    ttlMs: number;
  }): Promise<PartitionRunner | undefined> {
    const lease = await input.leases.acquire({
      partition: input.partition,
      owner: input.owner,
      ttlMs: input.ttlMs,
    });
    if (lease === undefined) return undefined;
    const checkpoint = await input.leases.readCheckpoint(input.partition);
    return new PartitionRunner({
      log: input.log,
      leases: input.leases,
      view: input.view,
      claims: input.claims,
      lease,
      checkpoint,
    });
  }

  get token(): number {
    return this.lease.token;
  }

  get lost(): boolean {
    return this.isLost;
  }

  /** The position the stored view reflects. */
  get committedSeq(): number {
    return this.committed;
  }

  /** The position applied in memory (ahead of `committedSeq` until the next commit). */
  get appliedSeq(): number {
    return this.applied;
  }

  /**
   * Reads up to `limit` events after the applied position and applies them (with claims, the
   * first copies only); how many were read.
   */
  async pull(limit: number): Promise<number> {
    this.refuseWhenLost();
    await this.recoverWhenStale();
    const events = await this.log.read({ partition: this.lease.partition, afterSeq: this.applied, limit });
    if (events.length === 0) return 0;
    const applied =
      this.claims === undefined ? events : await this.claims.firstCopies(this.lease.partition, events);
    this.view.apply(applied);
    this.applied = events[events.length - 1]?.seq ?? this.applied;
    return events.length;
  }

  /** Writes the view and the checkpoint together, under the lease's token. */
  async commit(): Promise<CommitOutcome> {
    this.refuseWhenLost();
    await this.recoverWhenStale();
    if (this.applied === this.committed) return 'committed';
    const seq = this.applied;
    try {
      await this.leases.fenced(this.lease, async (client) => {
        await this.view.write(client);
        await this.leases.writeCheckpoint(client, this.lease, seq);
      });
    } catch (error) {
      if (isTailorError(error) && error.code === 'PARTITION_LEASE_LOST') {
        this.loseIt();
        return 'lost';
      }
      // Fail-stop: the transaction may or may not have committed (a COMMIT in doubt), so what is
      // in memory is dropped and the next call starts again from the stored checkpoint.
      this.view.discard();
      this.stale = true;
      throw error;
    }
    this.committed = seq;
    this.view.committed();
    return 'committed';
  }

  /** Extends the lease; false (and the runner is lost) once another node took the partition. */
  async renew(ttlMs: number): Promise<boolean> {
    this.refuseWhenLost();
    const renewed = await this.leases.renew(this.lease, ttlMs);
    if (renewed === undefined) {
      this.loseIt();
      return false;
    }
    this.lease = renewed;
    return true;
  }

  /**
   * Commits what is applied and ends the lease, so another node can take the partition at once;
   * the runner is retired. A commit refused on the way means the lease was lost already.
   */
  async release(): Promise<CommitOutcome> {
    const outcome = await this.commit();
    if (outcome === 'committed') await this.leases.release(this.lease);
    this.isLost = true;
    this.view.discard();
    return outcome;
  }

  private async recoverWhenStale(): Promise<void> {
    if (!this.stale) return;
    const checkpoint = await this.leases.readCheckpoint(this.lease.partition);
    this.committed = checkpoint;
    this.applied = checkpoint;
    this.stale = false;
  }

  private loseIt(): void {
    this.isLost = true;
    this.view.discard();
    this.applied = this.committed;
  }

  private refuseWhenLost(): void {
    if (this.isLost) {
      throw new Error(
        `partition ${this.lease.partition} was taken from "${this.lease.owner}" (token ${this.lease.token}): take it again`,
      );
    }
  }
}
