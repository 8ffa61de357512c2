/** One step into a document: an object key or an array index. */
export type FieldPathSegment = string | number;

/**
 * One problem found in a workspace document, before it is given a file position. `at: 'key'`
 * points at the key itself (an unknown key), `'value'` at its value; a missing field points at
 * the object that should hold it.
 */
export interface WorkspaceIssue {
  path: FieldPathSegment[];
  message: string;
  at: 'key' | 'value';
}

const PLAIN_KEY = /^[A-Za-z_$][\w$]*$/;

/**
 * Writes a field path the way users read it: `computed_traits[0].where["properties.revenue"].$gt`.
 * Keys that are not plain identifiers (dotted event paths in `where`) are quoted.
 */
export function formatFieldPath(path: readonly FieldPathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text === '' ? '(root)' : text;
}
