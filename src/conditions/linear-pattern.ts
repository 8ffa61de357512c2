import { RE2JS } from 're2js';
import { isBoundedPattern } from './bounded-pattern.ts';

/** A compiled user-supplied regular expression; `test` runs in time linear in the input's length. */
export interface LinearPattern {
  /** Whether the pattern matches anywhere in `input`, like `RegExp.prototype.test`. */
  test(input: string): boolean;
}

/** A compiled pattern, or why it cannot be run, phrased to follow a JSON path in a problem report. */
export type LinearPatternResult =
  | { readonly ok: true; readonly pattern: LinearPattern }
  | { readonly ok: false; readonly message: string };

/**
 * Compiles a regular expression that a workspace or an API caller wrote, with RE2 semantics
 * (the pure-JS port `re2js`): matching is linear in the input, so no pattern and no event can
 * stall the writer the way a backtracking `RegExp` can (`^(\w+\s?)*$` on `aaaa…!`). RE2 has no
 * backreferences and no lookaround; such patterns are refused here, with what to write instead.
 * JavaScript's `\uXXXX` escapes are accepted and read as RE2's `\x{XXXX}`. A pattern whose
 * backtracking is bounded (`isBoundedPattern`: no quantifiers, …) is matched by `RegExp`,
 * with the same answers and still in linear time, because it is about 100× faster.
 */
export function compileLinearPattern(source: string, options: { ignoreCase: boolean }): LinearPatternResult {
  try {
    const compiled = RE2JS.compile(toRe2Syntax(source), options.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
    if (!options.ignoreCase && isBoundedPattern(source)) return { ok: true, pattern: new RegExp(source) };
    return { ok: true, pattern: { test: (input) => compiled.test(input) } };
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : source;
    return { ok: false, message: refusal(source, reason) };
  }
}

/** JavaScript escapes RE2 spells differently: `\uXXXX` becomes `\x{XXXX}`; every other escape is kept. */
function toRe2Syntax(source: string): string {
  if (!source.includes('\\u')) return source;
  return source.replace(/\\(u([0-9A-Fa-f]{4})|[\s\S])/g, (sequence: string, _char: string, hex?: string) =>
    hex === undefined ? sequence : `\\x{${hex}}`,
  );
}

function refusal(source: string, reason: string): string {
  const advice = adviceFor(source);
  return `is not a valid regular expression for Tailor's linear-time engine (RE2 syntax): ${reason}${advice === '' ? '' : `; ${advice}`}`;
}

/** What to write instead, for the constructs RE2 leaves out on purpose. */
function adviceFor(source: string): string {
  if (/\(\?<?[=!]/.test(source))
    return 'lookahead and lookbehind are not supported: test the other part with a second `$regex` under `$and`, or the negated part with `$not`';
  if (/\\[1-9]|\\k</.test(source))
    return 'backreferences are not supported: write the repeated text out, or compare the values with `$eq`';
  if (/\{\s*\d{4,}/.test(source)) return 'a repeat count is at most 1000';
  return '';
}
