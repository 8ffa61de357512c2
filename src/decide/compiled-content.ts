import type { Template } from 'liquidjs';
import type { ErrorDetail } from '../errors.ts';
import { isJsonObject } from '../ingest/merge-objects.ts';
import { contentLiquid } from './content-liquid.ts';

/**
 * A content object with every string parsed once as a Liquid template: the same tree as the
 * definition, where strings without `{{` or `{%` and non-string values are kept as they are.
 */
export type CompiledContent =
  | { readonly kind: 'template'; readonly source: string; readonly template: Template[] }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, CompiledContent])[] }
  | { readonly kind: 'array'; readonly items: readonly CompiledContent[] }
  | { readonly kind: 'literal'; readonly value: unknown };

/**
 * Compiles a content value (nested objects and arrays walked), adding a `{ path, message }` to
 * `issues` for each string that is not a valid template (the liquidjs message); `path` is the
 * JSON path of the value (`placements[1].variants[0].content`).
 */
export function compileContent(value: unknown, path: string, issues: ErrorDetail[]): CompiledContent {
  if (typeof value === 'string') return compileString(value, path, issues);
  if (Array.isArray(value))
    return {
      kind: 'array',
      items: value.map((item, index) => compileContent(item, `${path}[${index}]`, issues)),
    };
  if (isJsonObject(value)) {
    const entries = Object.entries(value).map(
      ([key, item]) => [key, compileContent(item, childPath(path, key), issues)] as const,
    );
    return { kind: 'object', entries };
  }
  return { kind: 'literal', value };
}

/** The JSON path of a key under `path`: `.title`, or `["a b"]` for a key that is not a plain name. */
export function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function compileString(source: string, path: string, issues: ErrorDetail[]): CompiledContent {
  if (!source.includes('{{') && !source.includes('{%')) return { kind: 'literal', value: source };
  try {
    return { kind: 'template', source, template: contentLiquid.parse(source) };
  } catch (error) {
    issues.push({ path, message: error instanceof Error ? error.message : String(error) });
    return { kind: 'literal', value: '' };
  }
}
