import type { PartitionLog } from '../store/ports/partition-log.ts';
import { PartitionRunner, type PartitionView } from './partition-runner.ts';
import { planLeases } from './plan-leases.ts';
import type { PostgresEventClaims } from './postgres-event-claims.ts';
import type { PostgresPartitionLeases } from './postgres-partition-leases.ts';

/** One node's part of the cluster: its id, the partition count, its lease length and its views. */
export interface PartitionOwnerOptions {
  node: string;
  partitions: number;
  /** How long a lease and a heartbeat last unless renewed (ms). */
  ttlMs: number;
  log: PartitionLog;
  leases: PostgresPartitionLeases;
  claims?: PostgresEventClaims;
  /** A fresh, empty view for a partition this node takes. */
  viewFor(partition: number): PartitionView;
}

/** What one round changed. */
export interface RoundOutcome {
  took: number[];
  released: number[];
  /** Partitions found taken by another node (a renewal or a commit refused). */
  lost: number[];
}

/**
 * The partitions one node owns, kept by rounds: each round says the node is alive, renews its
 * leases, plans with `planLeases` and releases or takes partitions; `work` pulls and commits
 * every owned partition. Driven from outside (a timer in a server, a test calling each step),
 * so nothing here sleeps.
 */
export class PartitionOwner {
  private readonly options: PartitionOwnerOptions;
  private readonly runners = new Map<number, PartitionRunner>();

  constructor(options: PartitionOwnerOptions) {
    this.options = options;
  }

  /** The partitions this node holds now, in order. */
  get owned(): number[] {
    return [...this.runners.keys()].sort((a, b) => a - b);
  }

  /** Heartbeat, renewals, then one step of rebalancing. */
  async round(): Promise<RoundOutcome> {
    const { node, ttlMs, leases, partitions } = this.options;
    await leases.heartbeat(node, ttlMs);
    const lost: number[] = [];
    for (const [partition, runner] of this.runners) {
      if (!(await runner.renew(ttlMs))) {
        this.runners.delete(partition);
        lost.push(partition);
      }
    }
    const plan = planLeases({
      partitions,
      self: node,
      nodes: await leases.liveNodes(),
      leases: await leases.list(),
    });
    const released: number[] = [];
    for (const partition of plan.release) {
      const runner = this.runners.get(partition);
      if (runner === undefined) continue;
      this.runners.delete(partition);
      if ((await runner.release()) === 'lost') lost.push(partition);
      else released.push(partition);
    }
    const took: number[] = [];
    for (const partition of plan.take) {
      const runner = await PartitionRunner.take({
        log: this.options.log,
        leases,
        claims: this.options.claims,
        view: this.options.viewFor(partition),
        partition,
        owner: node,
        ttlMs,
      });
      if (runner === undefined) continue;
      this.runners.set(partition, runner);
      took.push(partition);
    }
    return { took, released, lost };
  }

  /** Pulls up to `limit` events into each owned partition and commits it; the partitions lost meanwhile. */
  async work(limit: number): Promise<number[]> {
    const lost: number[] = [];
    for (const [partition, runner] of this.runners) {
      await runner.pull(limit);
      if ((await runner.commit()) === 'lost') {
        this.runners.delete(partition);
        lost.push(partition);
      }
    }
    return lost.sort((x, y) => x - y);
  }

  /** Whether an owned partition has events past its applied position (one look at each log's end). */
  async pending(): Promise<boolean> {
    for (const [partition, runner] of this.runners) {
      if ((await this.options.log.lastSeq(partition)) > runner.appliedSeq) return true;
    }
    return false;
  }

  /** A clean stop: commits and releases every partition, and leaves the live nodes. */
  async stop(): Promise<void> {
    for (const [partition, runner] of this.runners) {
      this.runners.delete(partition);
      await runner.release();
    }
    await this.options.leases.leave(this.options.node);
  }
}
