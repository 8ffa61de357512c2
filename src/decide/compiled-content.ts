import type { Template } from 'liquidjs';
import type { ErrorDetail } from '../errors.ts';
import { isJsonObject } from '../ingest/merge-objects.ts';
import { contentLiquid, htmlContentLiquid } from './content-liquid.ts';

/**
 * A content object with every string parsed once as a Liquid template: the same tree as the
 * definition, where strings without `{{` or `{%` and non-string values are kept as they are.
 * `html` says the template's output is HTML-escaped (see `ContentFormat`).
 */
export type CompiledContent =
  | {
      readonly kind: 'template';
      readonly source: string;
      readonly template: Template[];
      readonly html: boolean;
    }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, CompiledContent])[] }
  | { readonly kind: 'array'; readonly items: readonly CompiledContent[] }
  | { readonly kind: 'literal'; readonly value: unknown };

/**
 * Which template output of a content tree is HTML-escaped: `html` all of it (a placement shown
 * in a page), `text` none (a placement declared `format: text`), `html-fields` only the values
 * under a key named `html` or ending in `_html` (action content: an email's `html` is HTML, its
 * `subject` and `text`, an SMS or a WhatsApp text are not).
 */
export type ContentFormat = 'html' | 'text' | 'html-fields';

/** Whether a content key names an HTML field under the `html-fields` rule. */
export function isHtmlFieldName(key: string): boolean {
  return key === 'html' || key.endsWith('_html');
}

/**
 * Compiles a content value (nested objects and arrays walked), adding a `{ path, message }` to
 * `issues` for each string that is not a valid template (the liquidjs message); `path` is the
 * JSON path of the value (`placements[1].variants[0].content`). `format` chooses which output
 * is HTML-escaped.
 */
export function compileContent(
  value: unknown,
  path: string,
  issues: ErrorDetail[],
  format: ContentFormat,
): CompiledContent {
  if (typeof value === 'string')
    return compileString({ source: value, path, issues, html: format === 'html' });
  if (Array.isArray(value))
    return {
      kind: 'array',
      items: value.map((item, index) => compileContent(item, `${path}[${index}]`, issues, format)),
    };
  if (isJsonObject(value)) {
    const entries = Object.entries(value).map(([key, item]) => {
      const inner = format === 'html-fields' && isHtmlFieldName(key) ? 'html' : format;
      return [key, compileContent(item, childPath(path, key), issues, inner)] as const;
    });
    return { kind: 'object', entries };
  }
  return { kind: 'literal', value };
}

/** The JSON path of a key under `path`: `.title`, or `["a b"]` for a key that is not a plain name. */
export function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function compileString(input: {
  source: string;
  path: string;
  issues: ErrorDetail[];
  html: boolean;
}): CompiledContent {
  const { source, path, issues, html } = input;
  if (!source.includes('{{') && !source.includes('{%')) return { kind: 'literal', value: source };
  try {
    const engine = html ? htmlContentLiquid : contentLiquid;
    return { kind: 'template', source, template: engine.parse(source), html };
  } catch (error) {
    issues.push({ path, message: error instanceof Error ? error.message : String(error) });
    return { kind: 'literal', value: '' };
  }
}
