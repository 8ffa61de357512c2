import { type CompileContext, fail } from './compile-context.ts';
import type { Matcher } from './matcher.ts';
import { isPlainObject, isRecord } from './value-guards.ts';

/**
 * Compiles `{ $inSegment: 'key' }` (or `$notInSegment` with `negate`): whether the context's
 * `segments` holds the key. `segments` is either an array of keys or an object keyed by segment
 * key, where a member's entry is anything but `false`, `null` or absent (`true`, a timestamp,
 * membership details). A context without `segments` is in no segment.
 */
export function compileSegmentMembership(
  operand: unknown,
  path: string,
  context: CompileContext,
  negate: boolean,
): Matcher {
  if (typeof operand !== 'string' || operand === '') return fail(context, path, 'needs a segment key');
  context.reads.segments.add(operand);
  context.reads.paths.add('segments');
  const key = operand;
  const isMember = (subject: unknown): boolean => {
    const segments = isRecord(subject) ? subject['segments'] : undefined;
    if (Array.isArray(segments)) return segments.includes(key);
    if (!isPlainObject(segments) || !Object.hasOwn(segments, key)) return false;
    const entry = segments[key];
    return entry !== false && entry !== null && entry !== undefined;
  };
  return negate ? (subject) => !isMember(subject) : isMember;
}
