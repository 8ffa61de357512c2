import { isBusUnavailable } from '../store/nats/bus-unavailable-error.ts';
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
  /** The clock (epoch ms) that judges how long the bus has been away; `Date.now` by default. */
  now?: () => number;
}

/** What one round changed. */
export interface RoundOutcome {
  took: number[];
  released: number[];
  /** Partitions found taken by another node (a renewal or a commit refused). */
  lost: number[];
  /** The node cannot read the log (the bus away for half a lease): it let everything go and left. */
  withdrawn: boolean;
}

/**
 * The partitions one node owns, kept by rounds: each round says the node is alive, renews its
 * leases, plans with `planLeases` and releases or takes partitions; `work` pulls and commits
 * every owned partition. Driven from outside (a timer in a server, a test calling each step),
 * so nothing here sleeps. A node whose reads of the log have failed with `BUS_UNAVAILABLE` for
 * half a lease withdraws: it releases its partitions and stops heartbeating, so nodes that can
 * reach the bus take them, and it comes back in the first round where a read works again. Correctness never depends
 * on this (the fence does that); it keeps partitions from waiting on a node that cannot serve them.
 */
export class PartitionOwner {
  private readonly options: PartitionOwnerOptions;
  private readonly runners = new Map<number, PartitionRunner>();
  private readonly now: () => number;
  /** Since when reads of the log have failed, while they do. */
  private busDownSince: number | undefined;

  constructor(options: PartitionOwnerOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** The partitions this node holds now, in order. */
  get owned(): number[] {
    return [...this.runners.keys()].sort((a, b) => a - b);
  }

  /** Heartbeat, renewals, then one step of rebalancing. */
  async round(): Promise<RoundOutcome> {
    const { node, ttlMs, leases, partitions } = this.options;
    const busAway = this.busDownSince !== undefined && this.now() - this.busDownSince >= ttlMs / 2;
    if (busAway && !(await this.probe())) return { ...(await this.withdraw()), withdrawn: true };
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
    return { took, released, lost, withdrawn: false };
  }

  /** Pulls up to `limit` events into each owned partition and commits it; the partitions lost meanwhile. */
  async work(limit: number): Promise<number[]> {
    const lost: number[] = [];
    let busFailed = false;
    for (const [partition, runner] of this.runners) {
      try {
        await runner.pull(limit);
        this.busDownSince = undefined;
      } catch (error) {
        if (!isBusUnavailable(error)) throw error;
        busFailed = true;
      }
      if ((await runner.commit()) === 'lost') {
        this.runners.delete(partition);
        lost.push(partition);
      }
    }
    if (busFailed && this.busDownSince === undefined) this.busDownSince = this.now();
    return lost.sort((x, y) => x - y);
  }

  /** Tries one read of the log; when it works, the node takes part in rounds again. */
  private async probe(): Promise<boolean> {
    try {
      await this.options.log.lastSeq(0);
      this.busDownSince = undefined;
      return true;
    } catch (error) {
      if (!isBusUnavailable(error)) throw error;
      return false;
    }
  }

  private async withdraw(): Promise<Omit<RoundOutcome, 'withdrawn'>> {
    const released: number[] = [];
    const lost: number[] = [];
    for (const [partition, runner] of this.runners) {
      this.runners.delete(partition);
      if ((await runner.release()) === 'lost') lost.push(partition);
      else released.push(partition);
    }
    await this.options.leases.leave(this.options.node);
    return { took: [], released: released.sort((x, y) => x - y), lost: lost.sort((x, y) => x - y) };
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
