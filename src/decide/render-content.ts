import type { ErrorDetail } from '../errors.ts';
import { type CompiledContent, childPath } from './compiled-content.ts';
import { contentLiquid, htmlContentLiquid } from './content-liquid.ts';

/** Rendered content, and the fields that failed to render (each rendered as an empty string). */
export interface RenderedContent {
  content: unknown;
  errors: ErrorDetail[];
}

/**
 * Renders compiled content against a template scope (see `templateScope`): every template
 * field rendered, everything else copied. Missing values render as empty (templates give
 * fallbacks with `| default:`); output of HTML fields is escaped (see `ContentFormat`). A field whose rendering fails (a loop over a huge range, a
 * filter that throws) becomes `''` and its error is returned, with the field's path under
 * `path` (`content.title`). Never throws.
 */
export function renderContent(
  content: CompiledContent,
  scope: Record<string, unknown>,
  path = 'content',
): RenderedContent {
  const errors: ErrorDetail[] = [];
  return { content: render(content, scope, path, errors), errors };
}

function render(
  content: CompiledContent,
  scope: Record<string, unknown>,
  path: string,
  errors: ErrorDetail[],
): unknown {
  switch (content.kind) {
    case 'literal':
      return content.value;
    case 'array':
      return content.items.map((item, index) => render(item, scope, `${path}[${index}]`, errors));
    case 'object': {
      const result: Record<string, unknown> = {};
      for (const [key, item] of content.entries)
        result[key] = render(item, scope, childPath(path, key), errors);
      return result;
    }
    case 'template':
      try {
        return String((content.html ? htmlContentLiquid : contentLiquid).renderSync(content.template, scope));
      } catch (error) {
        errors.push({ path, message: error instanceof Error ? error.message : String(error) });
        return '';
      }
  }
}
