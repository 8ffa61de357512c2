import type { ContactRecord } from './contact-history.ts';

/** How many contacts a profile keeps, as `recordContact` does by default. */
const CONTACT_LIMIT = 100;

/**
 * The contact logs of two profiles being merged, as one: newest first by send time, at most
 * the limit kept. Neither input is changed.
 */
export function mergeContacts(
  into: readonly ContactRecord[],
  from: readonly ContactRecord[],
): ContactRecord[] {
  return [...into, ...from.map((contact) => ({ ...contact }))]
    .sort((a, b) => b.at - a.at)
    .slice(0, CONTACT_LIMIT);
}
