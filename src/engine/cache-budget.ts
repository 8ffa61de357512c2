/** The cache budget when none is set (`TAILOR_CACHE_MB`), in MiB: a laptop-sized default. */
export const DEFAULT_CACHE_MB = 512;

/**
 * Heap bytes one cached profile takes, as measured (`BENCH_ONLY=memory npm run bench`): a
 * committed profile is held compact (`ProfileCache`), about 250 bytes for an identified one
 * with three traits; one changed since the last commit is a live object of about 1,000. Rounded
 * up for a mix of both and for richer profiles.
 */
export const PROFILE_BYTES = 700;
/** Heap bytes one identifier index entry (key string, profile id, map slot) takes, as measured. */
export const KEY_BYTES = 200;
/** The share of the budget for profiles; the rest is for index entries. */
const PROFILE_SHARE = 0.75;

/** How many profiles and index entries fit in a cache of `mb` MiB (per workspace). */
export function cacheBudget(mb: number): { profiles: number; keys: number } {
  const bytes = mb * 1024 * 1024;
  return {
    profiles: Math.max(1, Math.floor((bytes * PROFILE_SHARE) / PROFILE_BYTES)),
    keys: Math.max(1, Math.floor((bytes * (1 - PROFILE_SHARE)) / KEY_BYTES)),
  };
}
