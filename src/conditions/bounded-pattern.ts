/** ASCII characters with a meaning in a pattern; any other printable ASCII character is itself. */
const META = new Set(['\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}']);

/** Escapes read the same by both engines and matching one ASCII character (or a set of them). */
const SAFE_ESCAPES = new Set(['d', 'w', 'n', 'r', 't']);

/**
 * Whether a case-sensitive pattern is in a small class where JavaScript's backtracking
 * `RegExp` is both safe and exact, so the hot path can use it instead of RE2 (about 100×
 * faster on short values): printable ASCII only; no quantifiers (`* + ? {}`), so a match
 * attempt at one position follows at most one path per alternative and takes time bounded by
 * the pattern; groups `(…)` / `(?:…)` not nested, and `|` in at most one of the top level and
 * the groups, so alternatives never multiply; sets `[…]` not negated, and no `.`, `\s`, `\b`
 * or `\D`/`\W`, so every step matches exactly one ASCII character, which is one code unit
 * for RegExp and one code point for RE2 alike. Matching is then O(input × pattern) with the
 * same answer as RE2's; anything else goes to RE2. `@(gmail|yahoo)\.com$` and `^/pricing`
 * qualify.
 */
export function isBoundedPattern(source: string): boolean {
  let depth = 0;
  let scopesWithBar = 0;
  let barInScope = false;
  let topLevelBar = false;
  for (let i = 0; i < source.length; i += 1) {
    const char = source.charAt(i);
    const code = char.charCodeAt(0);
    if (code < 0x20 || code > 0x7e) return false;
    if (char === '\\') {
      const next = source.charAt(i + 1);
      if (!(SAFE_ESCAPES.has(next) || isPunctuation(next))) return false;
      i += 1;
    } else if (char === '[') {
      const end = classEnd(source, i);
      if (end < 0) return false;
      i = end;
    } else if (char === '(') {
      if (depth > 0) return false;
      if (source.charAt(i + 1) === '?') {
        if (source.charAt(i + 2) !== ':') return false;
        i += 2;
      }
      depth = 1;
      barInScope = false;
    } else if (char === ')') {
      if (depth === 0) return false;
      depth = 0;
    } else if (char === '|') {
      if (depth > 0 && !barInScope) {
        barInScope = true;
        scopesWithBar += 1;
      } else if (depth === 0 && !topLevelBar) {
        topLevelBar = true;
        scopesWithBar += 1;
      }
      if (scopesWithBar > 1) return false;
    } else if (char !== '^' && char !== '$' && META.has(char)) {
      return false;
    }
  }
  return depth === 0;
}

/** ASCII punctuation: escaped, it stands for itself in both engines. */
function isPunctuation(char: string): boolean {
  return char.length === 1 && /^[!-/:-@[-`{-~]$/.test(char);
}

/**
 * The index of the `]` closing the set opened at `start`, or -1 when the set is outside the
 * safe class: negated, empty, holding `[` (RE2 reads `[[:alpha:]]` as a named class), or an
 * escape other than `\d`, `\w`, `\n`, `\r`, `\t` and escaped punctuation.
 */
function classEnd(source: string, start: number): number {
  const first = source.charAt(start + 1);
  if (first === '^' || first === ']') return -1;
  for (let i = start + 1; i < source.length; i += 1) {
    const char = source.charAt(i);
    if (char === ']') return i;
    if (char === '[') return -1;
    if (char === '\\') {
      const next = source.charAt(i + 1);
      if (!(SAFE_ESCAPES.has(next) || isPunctuation(next))) return -1;
      i += 1;
    }
  }
  return -1;
}
