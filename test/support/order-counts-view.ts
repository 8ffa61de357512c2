import type pg from 'pg';
import type { PartitionView } from '../../src/cluster/partition-runner.ts';
import type { LoggedEvent } from '../../src/ingest/event.ts';
import type { PartitionLog } from '../../src/store/ports/partition-log.ts';

/** Creates the table `OrderCounts` writes: orders and revenue per partition and user. */
export function orderCountsTable(schema: string): string {
  return `CREATE TABLE "${schema}".orders (partition integer, user_id text, orders integer NOT NULL,
    revenue integer NOT NULL, PRIMARY KEY (partition, user_id))`;
}

/**
 * A small partition view for the cluster's tests: orders and revenue per user, kept as changes
 * since the last commit and written as increments — so an event applied twice, or a commit
 * written twice, shows in the stored counts.
 */
export class OrderCounts implements PartitionView {
  private changes = new Map<string, { orders: number; revenue: number }>();

  constructor(
    private readonly schema: string,
    private readonly partition: number,
  ) {}

  apply(events: readonly LoggedEvent[]): void {
    for (const event of events) {
      const user = event.userId ?? '';
      const change = this.changes.get(user) ?? { orders: 0, revenue: 0 };
      change.orders += 1;
      change.revenue += Number(event.properties?.['revenue'] ?? 0);
      this.changes.set(user, change);
    }
  }

  async write(client: pg.ClientBase): Promise<void> {
    for (const [user, change] of this.changes) {
      await client.query(
        `INSERT INTO "${this.schema}".orders (partition, user_id, orders, revenue) VALUES ($1, $2, $3, $4)
         ON CONFLICT (partition, user_id) DO UPDATE
           SET orders = orders.orders + EXCLUDED.orders, revenue = orders.revenue + EXCLUDED.revenue`,
        [this.partition, user, change.orders, change.revenue],
      );
    }
  }

  committed(): void {
    this.changes.clear();
  }

  discard(): void {
    this.changes.clear();
  }
}

/** Counts by user as `[orders, revenue]`, in user order. */
export type Counts = Record<string, [number, number]>;

/** What the stored view holds for a partition. */
export async function storedCounts(db: pg.Pool, schema: string, partition: number): Promise<Counts> {
  const { rows } = await db.query<{ user_id: string; orders: number; revenue: number }>(
    `SELECT user_id, orders, revenue FROM "${schema}".orders WHERE partition = $1 ORDER BY user_id`,
    [partition],
  );
  return Object.fromEntries(rows.map((row) => [row.user_id, [row.orders, row.revenue]]));
}

/** The counts a single process replaying the partition would make, each (workspace, messageId) once. */
export async function replayedCounts(log: PartitionLog, partition: number): Promise<Counts> {
  const counts: Counts = {};
  const seen = new Set<string>();
  for (const event of await log.read({ partition, afterSeq: 0, limit: 100_000 })) {
    const key = `${event.workspaceId}\u0000${event.messageId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const user = event.userId ?? '';
    const [orders, revenue] = counts[user] ?? [0, 0];
    counts[user] = [orders + 1, revenue + Number(event.properties?.['revenue'] ?? 0)];
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}
