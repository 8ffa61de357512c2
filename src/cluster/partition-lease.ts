import { TailorError } from '../errors.ts';

/**
 * A node's hold on one partition. `token` is the fencing token: it grows by one each time the
 * partition changes hands, and every commit for the partition names it, so a commit from an
 * owner that lost the lease (paused, partitioned away) is refused instead of overwriting the
 * new owner's work.
 */
export interface PartitionLease {
  partition: number;
  owner: string;
  token: number;
  /** When the lease runs out unless renewed (epoch ms, by the database's clock). */
  expiresAt: number;
}

/** A lease as listed: who holds the partition, and whether the hold has run out. */
export interface LeaseStatus extends PartitionLease {
  expired: boolean;
}

/** The error a fenced commit throws when the partition's lease moved on to a newer token. */
export function leaseLost(lease: PartitionLease, current: number | undefined): TailorError {
  const now = current === undefined ? 'no lease' : `token ${current}`;
  return new TailorError(
    'PARTITION_LEASE_LOST',
    `partition ${lease.partition} is no longer leased to "${lease.owner}" with token ${lease.token} (it now has ${now}): the commit was refused; replay the partition from its checkpoint once leased again`,
  );
}
