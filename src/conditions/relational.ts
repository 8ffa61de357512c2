import type { Matcher } from './matcher.ts';

/** The ordering operators. */
export type RelationalOperator = '$lt' | '$lte' | '$gt' | '$gte';

/**
 * Compiles `$lt`/`$lte`/`$gt`/`$gte` with JavaScript's own comparison rules, which is what
 * GrowthBook applies: against a number the value is read as a number (`'42'` → 42, a missing
 * path → 0, `'abc'` → never); against a string, strings compare by code unit and anything
 * else as numbers. Written out because TypeScript will not compare `unknown` values.
 */
export function relational(operator: RelationalOperator, expected: number | string): Matcher {
  if (typeof expected === 'number') {
    switch (operator) {
      case '$lt':
        return (value) => Number(value) < expected;
      case '$lte':
        return (value) => Number(value) <= expected;
      case '$gt':
        return (value) => Number(value) > expected;
      case '$gte':
        return (value) => Number(value) >= expected;
    }
  }
  const asNumber = Number(expected);
  const order = (value: unknown): number => {
    const primitive = toPrimitive(value);
    if (typeof primitive === 'string') return primitive < expected ? -1 : primitive > expected ? 1 : 0;
    const number = Number(primitive);
    return number < asNumber ? -1 : number > asNumber ? 1 : number === asNumber ? 0 : Number.NaN;
  };
  switch (operator) {
    case '$lt':
      return (value) => order(value) < 0;
    case '$lte':
      return (value) => order(value) <= 0;
    case '$gt':
      return (value) => order(value) > 0;
    case '$gte':
      return (value) => order(value) >= 0;
  }
}

/** JavaScript's ToPrimitive with the number hint: `valueOf` first (a Date), else the string form. */
function toPrimitive(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const primitive: unknown = value.valueOf();
  return typeof primitive === 'object' && primitive !== null ? String(value) : primitive;
}
