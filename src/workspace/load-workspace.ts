import { Value } from 'typebox/value';
import { LineCounter, parseDocument } from 'yaml';
import { type ErrorDetail, TailorError } from '../errors.ts';
import { collectRuleIssues } from './collect-rule-issues.ts';
import { collectSchemaIssues } from './collect-schema-issues.ts';
import { toWorkspaceDefinition } from './to-workspace-definition.ts';
import type { WorkspaceDefinition } from './workspace.ts';
import { type FieldPathSegment, formatFieldPath, type WorkspaceIssue } from './workspace-issue.ts';
import { WorkspaceFileSchema } from './workspace-schema.ts';
import { issueOffset } from './yaml-position.ts';

/** The name errors use for YAML given without a file name. */
const DEFAULT_FILE_NAME = 'tailor.yaml';

/**
 * Parses and validates a workspace file. Every problem is reported at once, each detail
 * pointing at `file:line:col field.path` (`tailor.yaml:12:5 computed_traits[0].window`); a YAML
 * syntax error is reported at its position. Throws TailorError INVALID_WORKSPACE.
 */
export function parseWorkspaceYaml(input: { text: string; fileName?: string }): WorkspaceDefinition {
  const fileName = input.fileName ?? DEFAULT_FILE_NAME;
  const lineCounter = new LineCounter();
  const document = parseDocument(input.text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const details = document.errors.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return { path: `${fileName}:${line}:${col}`, message: `YAML syntax: ${error.message}` };
    });
    throw invalid(fileName, details);
  }
  let value: unknown;
  try {
    value = document.toJS();
  } catch (error) {
    // Aliases that expand past yaml's limit (a "billion laughs" file) fail here.
    const reason = error instanceof Error ? error.message : String(error);
    throw invalid(fileName, [{ path: `${fileName}:1:1`, message: `YAML: ${reason}` }]);
  }
  if (value === null || value === undefined) {
    throw invalid(fileName, [
      {
        path: `${fileName}:1:1`,
        message: 'the file is empty: it needs a `workspace:` section with an `id` and a `name`',
      },
    ]);
  }
  return validate(value, fileName, (issues) =>
    issues
      .map((issue) => ({ issue, offset: issueOffset(document, issue) }))
      .sort((a, b) => a.offset - b.offset)
      .map(({ issue, offset }) => {
        const { line, col } = lineCounter.linePos(offset);
        return { path: `${fileName}:${line}:${col} ${formatFieldPath(issue.path)}`, message: issue.message };
      }),
  );
}

/**
 * Validates a workspace document already parsed (the admin API's JSON body) like
 * `parseWorkspaceYaml`; details carry the field path, after `fileName` when given.
 */
export function parseWorkspaceDocument(doc: unknown, fileName?: string): WorkspaceDefinition {
  const label = fileName ?? 'the workspace document';
  return validate(doc, label, (issues) =>
    issues.map((issue) => {
      const field = formatFieldPath(issue.path);
      return { path: fileName === undefined ? field : `${fileName} ${field}`, message: issue.message };
    }),
  );
}

/** Checks a parsed document and maps it to a definition; `toDetails` places the issues found. */
function validate(
  value: unknown,
  label: string,
  toDetails: (issues: WorkspaceIssue[]) => ErrorDetail[],
): WorkspaceDefinition {
  const issues = collectRuleIssues(value);
  if (Value.Check(WorkspaceFileSchema, value)) {
    if (issues.length === 0) return toWorkspaceDefinition(value);
  } else {
    issues.unshift(...schemaIssues(value));
  }
  throw invalid(label, toDetails(issues));
}

/** Why the document fails the schema, in the walker's words, or TypeBox's should the walker find nothing. */
function schemaIssues(value: unknown): WorkspaceIssue[] {
  const issues = collectSchemaIssues(WorkspaceFileSchema, value);
  if (issues.length > 0) return issues;
  return Value.Errors(WorkspaceFileSchema, value).map((error) => ({
    path: pointerPath(error.instancePath),
    at: 'value',
    message: error.message,
  }));
}

function invalid(label: string, details: ErrorDetail[]): TailorError {
  const count = details.length === 1 ? '1 problem' : `${details.length} problems`;
  return new TailorError(
    'INVALID_WORKSPACE',
    `${label} is not a valid workspace definition: ${count}`,
    details,
  );
}

/** `/computed_traits/0/window` → ['computed_traits', 0, 'window']. */
function pointerPath(pointer: string): FieldPathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}
