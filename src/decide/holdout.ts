import { createHash } from 'node:crypto';

/**
 * Where a profile falls in [0, 100) for the holdout: the first 4 bytes of
 * sha256(`salt` + `profileId`) as a fraction of 2³², times 100. Stable for a given salt and id.
 */
export function holdoutBucket(salt: string, profileId: string): number {
  const digest = createHash('sha256')
    .update(salt + profileId)
    .digest();
  return (digest.readUInt32BE(0) / 2 ** 32) * 100;
}

/** Whether a profile is in the control group of `percent` percent. */
export function isHeldOut(holdout: { percent: number; salt: string }, profileId: string): boolean {
  return holdoutBucket(holdout.salt, profileId) < holdout.percent;
}
