/**
 * Tailor's browser SDK as an ES module: `import { tailor } from '/sdk/tailor.mjs'`, then
 * `tailor.load({ writeKey, host })`. `Tailor` makes another instance (tests, several workspaces).
 */
import { hidePlacements } from './placements.ts';
import { Tailor } from './tailor.ts';

export type { CallOptions } from './call-args.ts';
export { HIDE_RULE, type Placement } from './placements.ts';
export { type Consent, type LoadOptions, Tailor } from './tailor.ts';

hidePlacements();

/** The page's SDK instance. */
export const tailor = new Tailor();
