import type { JsonObject } from './event.ts';
import { JSON_MAX_DEPTH } from './ingest-limits.ts';
import { isJsonObject } from './merge-objects.ts';

/** The first place in a parsed JSON value that Tailor refuses to store, with its JSON path. */
export interface JsonProblem {
  code: 'TOO_DEEP' | 'INVALID_CHARACTERS';
  /** JSON path from the request body: `properties.a[2]["odd key"]`, `batch[3].userId`. */
  path: string;
  message: string;
}

/** The input of `findJsonProblem`. */
export interface JsonCheckInput {
  /** A value as `JSON.parse` returned it. */
  value: unknown;
  /** The value's own JSON path ('' for a whole body). */
  path?: string;
  /** How many objects and arrays enclose the value (0 for an event or a body, 1 for a body's field). */
  enclosing?: number;
  /** Deepest level allowed, the outermost object counting as 1 (default `JSON_MAX_DEPTH`). */
  maxDepth?: number;
}

/** One object or array being walked: its keys (objects only) and the next child to visit. */
interface Frame {
  node: JsonObject | unknown[];
  keys: string[] | undefined;
  next: number;
}

/** Any NUL or surrogate half; only when one appears is the exact (slower) scan needed. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is this pattern's job.
const SUSPECT = /[\u0000\ud800-\udfff]/;
const PLAIN_KEY = /^[A-Za-z_$][\w$]*$/;

/**
 * Finds, in document order, the first place of a parsed JSON value that could hurt later: an
 * object or array nested past `maxDepth`, or a string or object key holding a NUL character or
 * an unpaired surrogate half (PostgreSQL's jsonb and text refuse both, so one such event would
 * fail every rebuild and restart; no honest client sends them). Iterative on purpose: it must
 * survive the 250,000-deep arrays a 500 KB body can hold, which recursion would not. Returns
 * undefined when the value is safe to append, replay and rebuild.
 */
export function findJsonProblem(input: JsonCheckInput): JsonProblem | undefined {
  const base = input.path ?? '';
  const enclosing = input.enclosing ?? 0;
  const maxDepth = input.maxDepth ?? JSON_MAX_DEPTH;
  const { value } = input;
  if (typeof value === 'string') return characterProblem(value, base, 'string');
  const root = container(value);
  if (root === undefined) return undefined;
  if (enclosing + 1 > maxDepth) return tooDeep(base, maxDepth);

  const stack: Frame[] = [root];
  for (let top = stack.at(-1); top !== undefined; top = stack.at(-1)) {
    const { node, keys } = top;
    const length = keys === undefined ? countOf(node) : keys.length;
    if (top.next >= length) {
      stack.pop();
      continue;
    }
    const index = top.next;
    top.next += 1;
    let child: unknown;
    if (keys === undefined) {
      child = Array.isArray(node) ? node[index] : undefined;
    } else {
      const key = keys[index] ?? '';
      if (hasInvalidCharacters(key)) return characterProblem(key, pathOf(base, stack), 'key');
      child = isJsonObject(node) ? node[key] : undefined;
    }
    if (typeof child === 'string') {
      if (hasInvalidCharacters(child)) return characterProblem(child, pathOf(base, stack), 'string');
      continue;
    }
    const frame = container(child);
    if (frame === undefined) continue;
    if (enclosing + stack.length + 1 > maxDepth) return tooDeep(pathOf(base, stack), maxDepth);
    stack.push(frame);
  }
  return undefined;
}

/** Whether a string holds a NUL or an unpaired surrogate half: what `findJsonProblem` refuses. */
export function hasInvalidCharacters(text: string): boolean {
  return badCharacterAt(text) >= 0;
}

function container(value: unknown): Frame | undefined {
  if (Array.isArray(value)) return { node: value, keys: undefined, next: 0 };
  if (isJsonObject(value)) return { node: value, keys: Object.keys(value), next: 0 };
  return undefined;
}

function countOf(node: JsonObject | unknown[]): number {
  return Array.isArray(node) ? node.length : 0;
}

/** The path of the child each frame is visiting (the one before its `next`). */
function pathOf(base: string, stack: readonly Frame[]): string {
  let path = base;
  for (const frame of stack) {
    const index = frame.next - 1;
    if (frame.keys === undefined) {
      path += `[${index}]`;
      continue;
    }
    const key = frame.keys[index] ?? '';
    path += PLAIN_KEY.test(key) ? (path === '' ? key : `.${key}`) : `[${JSON.stringify(key)}]`;
  }
  return path;
}

/** Index of the first NUL or unpaired surrogate half, or -1. */
function badCharacterAt(text: string): number {
  if (!SUSPECT.test(text)) return -1;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0) return i;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i += 1;
      else return i;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      return i;
    }
  }
  return -1;
}

function characterProblem(text: string, path: string, what: 'string' | 'key'): JsonProblem | undefined {
  const at = badCharacterAt(text);
  if (at < 0) return undefined;
  const code = text.charCodeAt(at);
  const found =
    code === 0 ? 'a NUL character (\\u0000)' : `an unpaired surrogate half (\\u${code.toString(16)})`;
  const where = path === '' ? 'the body' : `\`${path}\``;
  const holder = what === 'key' ? `the key of ${where}` : `the string at ${where}`;
  return {
    code: 'INVALID_CHARACTERS',
    path,
    message: `${capitalize(holder)} holds ${found} at index ${at}: text must be valid Unicode without NUL; send the character escaped in your own way, or drop it`,
  };
}

function tooDeep(path: string, maxDepth: number): JsonProblem {
  const where = path === '' ? 'The body' : `\`${path}\``;
  return {
    code: 'TOO_DEEP',
    path,
    message: `${where} is nested more than ${maxDepth} objects and arrays deep (the event counting as the first): flatten it`,
  };
}

function capitalize(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}
