import type { TailorEvent } from '../../ingest/event.ts';
import type { FilterOperand } from './computed-trait.ts';
import { compileEventPath } from './event-path.ts';
import { toFiniteNumber } from './scalar.ts';

type Test = (value: unknown) => boolean;

/**
 * Compiles a `where` block (dotted path → value or `{ $operator: value }`) to one predicate
 * over the event; every entry must hold. Absent or empty `where` matches every event.
 */
export function compileWhere(
  where: Record<string, FilterOperand> | undefined,
): (event: TailorEvent) => boolean {
  const checks = Object.entries(where ?? {}).map(([path, operand]) => ({
    read: compileEventPath(path),
    test: compileOperand(operand),
  }));
  if (checks.length === 0) return () => true;
  return (event) => {
    for (const check of checks) {
      if (!check.test(check.read(event))) return false;
    }
    return true;
  };
}

/**
 * Compiles one operand to a test of the value found at its path. A bare value means equality
 * (`null` also matches a missing value). Ordering operators compare numbers with numbers
 * (numeric strings count) and strings with strings (so ISO dates compare by time); a value of
 * another kind fails them. `$ne` and `$nin` hold for a missing value.
 */
function compileOperand(operand: FilterOperand): Test {
  if (operand === null || typeof operand !== 'object') return (value) => equals(value, operand);
  const tests: Test[] = [];
  const { $eq, $ne, $in, $nin, $gt, $gte, $lt, $lte, $exists } = operand;
  if ('$eq' in operand) tests.push((value) => equals(value, $eq));
  if ('$ne' in operand) tests.push((value) => !equals(value, $ne));
  if ($in !== undefined) tests.push((value) => $in.some((item) => equals(value, item)));
  if ($nin !== undefined) tests.push((value) => !$nin.some((item) => equals(value, item)));
  if ($gt !== undefined) tests.push((value) => (compare(value, $gt) ?? Number.NaN) > 0);
  if ($gte !== undefined) tests.push((value) => (compare(value, $gte) ?? Number.NaN) >= 0);
  if ($lt !== undefined) tests.push((value) => (compare(value, $lt) ?? Number.NaN) < 0);
  if ($lte !== undefined) tests.push((value) => (compare(value, $lte) ?? Number.NaN) <= 0);
  if ($exists !== undefined) tests.push((value) => (value !== undefined && value !== null) === $exists);
  return (value) => {
    for (const test of tests) {
      if (!test(value)) return false;
    }
    return true;
  };
}

function equals(value: unknown, expected: unknown): boolean {
  return value === expected || (expected === null && value === undefined);
}

/** Sign of `value − operand`, or undefined when the two cannot be ordered. */
function compare(value: unknown, operand: number | string): number | undefined {
  if (typeof operand === 'number') {
    const number = toFiniteNumber(value);
    return number === undefined ? undefined : number - operand;
  }
  if (typeof value !== 'string') return undefined;
  return value < operand ? -1 : value > operand ? 1 : 0;
}
