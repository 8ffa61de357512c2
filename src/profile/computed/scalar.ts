/** A value a computed trait can hold or aggregate: objects and arrays at a property are ignored. */
export type Scalar = string | number | boolean;

/** The value of a computed trait at one moment: `null` when there is nothing to aggregate yet. */
export type ComputedValue = Scalar | null;

/** Narrows to a string, finite number or boolean. */
export function isScalar(value: unknown): value is Scalar {
  return (
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

/**
 * The number a value stands for, for sums and comparisons: finite numbers as they are, and
 * numeric strings (`"1499.00"`, as some SDKs send revenue); anything else is undefined.
 */
export function toFiniteNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}
