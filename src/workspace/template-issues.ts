import { Liquid } from 'liquidjs';
import { isJsonObject } from '../ingest/merge-objects.ts';
import type { FieldPathSegment, WorkspaceIssue } from './workspace-issue.ts';

/** Parses templates only (nothing is rendered here); unknown filters are refused, as when rendering. */
const liquid = new Liquid({ strictFilters: true });

/** liquidjs ends its messages with where in the template the problem is: `…, line:1, col:4`. */
const TEMPLATE_POSITION = /, line:(\d+), col:(\d+)$/;

/**
 * Problems of content (`{ title: …, body: … }`, nested mappings and lists too): every string in
 * it must be a Liquid template that parses, with the filters Liquid knows. Each problem is at
 * the string's path (`at` is the content's path), saying where in the template it is.
 */
export function templateIssues(at: FieldPathSegment[], content: unknown): WorkspaceIssue[] {
  if (typeof content === 'string') {
    const problem = templateProblem(content);
    return problem === undefined ? [] : [{ path: at, at: 'value', message: problem }];
  }
  const entries: [FieldPathSegment, unknown][] = Array.isArray(content)
    ? content.map((item, index) => [index, item])
    : isJsonObject(content)
      ? Object.entries(content)
      : [];
  return entries.flatMap(([step, value]) => templateIssues([...at, step], value));
}

/** Why `text` is not a valid Liquid template, or undefined when it parses. */
function templateProblem(text: string): string | undefined {
  try {
    liquid.parse(text);
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const position = TEMPLATE_POSITION.exec(reason);
    const where = position === null ? '' : ` (line ${position[1]}, column ${position[2]} of the template)`;
    return `not a valid Liquid template: ${reason.replace(TEMPLATE_POSITION, '')}${where}`;
  }
}
