import type { JsonObject } from './event.ts';
import { isJsonObject } from './merge-objects.ts';
import { parseTimestamp } from './parse-timestamp.ts';

/** Returned by a field reader when the field is present but of the wrong kind. */
export const WRONG_TYPE = Symbol('wrong type');

/**
 * Reads an id field (`userId`, `anonymousId`, `previousId`, `groupId`): a non-blank string as
 * given, or a number as its decimal string (Segment clients send numeric ids). Absent, null and
 * blank strings read as undefined: they identify nobody.
 */
export function readId(value: unknown): string | undefined | typeof WRONG_TYPE {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return isBlank(value) ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return WRONG_TYPE;
}

/** Reads an optional string field (`event`, `name`, `category`); null and '' read as absent. */
export function readText(value: unknown): string | undefined | typeof WRONG_TYPE {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? value : WRONG_TYPE;
}

/**
 * Reads an optional object field (`properties`, `traits`, `context`, `integrations`) into a
 * fresh object without a `__proto__` key; null reads as absent. Values below the top level are
 * shared, not copied: events are immutable after ingestion.
 */
export function readObject(value: unknown): JsonObject | undefined | typeof WRONG_TYPE {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) return WRONG_TYPE;
  const copy: JsonObject = {};
  for (const key in value) {
    if (key !== '__proto__') copy[key] = value[key];
  }
  return copy;
}

/** Reads an optional ISO-8601 time field to epoch ms; NaN when present but not a valid date. */
export function readTime(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? parseTimestamp(value) : Number.NaN;
}

/** How a value is described in messages: `a string`, `an array`, `null`. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'nothing';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code !== 32 && code !== 9 && code !== 10 && code !== 13) return false;
  }
  return true;
}
