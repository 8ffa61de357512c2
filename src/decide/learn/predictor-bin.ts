import { compilePath } from '../../conditions/path-getter.ts';

/** Longest text kept of one predictor's value in a bin key; longer values are cut. */
const VALUE_LIMIT = 64;

/**
 * Compiles an action's predictors (context paths) once into a function giving the bin a
 * decision falls in: each predictor's value as text, joined by `|` (`pro|mobile`). A set-like
 * value (`segments`, an array) is its sorted keys joined by `,`; a missing value is `-`.
 * Without predictors every decision falls in the one bin `*`.
 */
export function compilePredictorBin(paths: readonly string[]): (context: Record<string, unknown>) => string {
  if (paths.length === 0) return () => '*';
  const getters = paths.map((path) => compilePath(path));
  return (context) => getters.map((get) => binValue(get(context))).join('|');
}

function binValue(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (Array.isArray(value)) return cut(value.map(String).sort().join(','));
  if (typeof value === 'object') return cut(Object.keys(value).sort().join(','));
  return cut(String(value));
}

function cut(text: string): string {
  return text.length > VALUE_LIMIT ? text.slice(0, VALUE_LIMIT) : text;
}
