import type { BehaviourSource } from './behaviour-source.ts';

/**
 * What every piece of a compiled condition is: a test of one subject (the whole context, an
 * array element, one value at a path, or an event's properties) given the clock and history.
 */
export type Matcher = (subject: unknown, now?: number, behaviour?: BehaviourSource) => boolean;

/** Matches everything: the empty condition `{}` and an empty `$and` or `$or`. */
export const ALWAYS: Matcher = () => true;

/** Matches nothing: stands in for a part that failed to compile while the rest is checked. */
export const NEVER: Matcher = () => false;

/** Matches when every matcher does, stopping at the first miss. */
export function allOf(matchers: readonly Matcher[]): Matcher {
  const [first, second] = matchers;
  if (first === undefined) return ALWAYS;
  if (second === undefined) return first;
  if (matchers.length === 2)
    return (subject, now, behaviour) => first(subject, now, behaviour) && second(subject, now, behaviour);
  return (subject, now, behaviour) => {
    for (let i = 0; i < matchers.length; i += 1) {
      if (!matchers[i]!(subject, now, behaviour)) return false;
    }
    return true;
  };
}

/** Matches when any matcher does; like GrowthBook's `$or`, an empty list matches everything. */
export function anyOf(matchers: readonly Matcher[]): Matcher {
  const [first, second] = matchers;
  if (first === undefined) return ALWAYS;
  if (second === undefined) return first;
  if (matchers.length === 2)
    return (subject, now, behaviour) => first(subject, now, behaviour) || second(subject, now, behaviour);
  return (subject, now, behaviour) => {
    for (let i = 0; i < matchers.length; i += 1) {
      if (matchers[i]!(subject, now, behaviour)) return true;
    }
    return false;
  };
}

/** Matches when the matcher does not. */
export function not(matcher: Matcher): Matcher {
  return (subject, now, behaviour) => !matcher(subject, now, behaviour);
}
