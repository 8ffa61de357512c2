import { Value } from 'typebox/value';
import { LineCounter, parseDocument } from 'yaml';
import type { NetworkPolicy } from '../activate/outbound/network-policy.ts';
import { type ErrorDetail, TailorError } from '../errors.ts';
import { collectRuleIssues } from './collect-rule-issues.ts';
import { collectSchemaIssues } from './collect-schema-issues.ts';
import { duplicateKeyOffsets } from './duplicate-key-offsets.ts';
import { toWorkspaceDefinition } from './to-workspace-definition.ts';
import type { WorkspaceDefinition } from './workspace.ts';
import { type FieldPathSegment, formatFieldPath, type WorkspaceIssue } from './workspace-issue.ts';
import { WorkspaceFileSchema } from './workspace-schema.ts';
import { issueOffset } from './yaml-position.ts';

/** The name errors use for YAML given without a file name. */
const DEFAULT_FILE_NAME = 'tailor.yaml';

/**
 * The largest workspace file or document Tailor reads, in bytes (1 MiB). Parsing runs on the
 * event loop at a few µs per byte, so a cap keeps one apply from stalling every request; a
 * real workspace is tens of KB.
 */
export const MAX_WORKSPACE_BYTES = 1024 * 1024;

/**
 * Parses and validates a workspace file. Every problem is reported at once, each detail
 * pointing at `file:line:col field.path` (`tailor.yaml:12:5 computed_traits[0].window`); a YAML
 * syntax error is reported at its position. Throws TailorError INVALID_WORKSPACE, or
 * WORKSPACE_TOO_LARGE past `MAX_WORKSPACE_BYTES` (checked before parsing). Channel URLs are
 * judged under `network`, the deployment's policy (strict unless given).
 */
export function parseWorkspaceYaml(input: {
  text: string;
  fileName?: string;
  network?: NetworkPolicy;
}): WorkspaceDefinition {
  const fileName = input.fileName ?? DEFAULT_FILE_NAME;
  assertWorkspaceSize(Buffer.byteLength(input.text), fileName);
  const lineCounter = new LineCounter();
  // Repeated keys are found by duplicateKeyOffsets, in linear time: yaml's own check is quadratic.
  const document = parseDocument(input.text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const syntax = [
    ...document.errors.map((error) => ({ offset: error.pos[0], message: error.message })),
    ...duplicateKeyOffsets(document).map((offset) => ({ offset, message: 'Map keys must be unique' })),
  ];
  if (syntax.length > 0) {
    const details = syntax
      .sort((a, b) => a.offset - b.offset)
      .map(({ offset, message }) => {
        const { line, col } = lineCounter.linePos(offset);
        return { path: `${fileName}:${line}:${col}`, message: `YAML syntax: ${message}` };
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
  return validate({ value, label: fileName, network: input.network }, (issues) =>
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
export function parseWorkspaceDocument(
  doc: unknown,
  options: { fileName?: string; network?: NetworkPolicy } = {},
): WorkspaceDefinition {
  const { fileName, network } = options;
  const label = fileName ?? 'the workspace document';
  return validate({ value: doc, label, network }, (issues) =>
    issues.map((issue) => {
      const field = formatFieldPath(issue.path);
      return { path: fileName === undefined ? field : `${fileName} ${field}`, message: issue.message };
    }),
  );
}

/** Checks a parsed document and maps it to a definition; `toDetails` places the issues found. */
function validate(
  input: { value: unknown; label: string; network: NetworkPolicy | undefined },
  toDetails: (issues: WorkspaceIssue[]) => ErrorDetail[],
): WorkspaceDefinition {
  const { value, label } = input;
  const issues = collectRuleIssues(value, input.network);
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

/** Throws WORKSPACE_TOO_LARGE when a workspace of `bytes` is past the limit. */
export function assertWorkspaceSize(bytes: number, label: string): void {
  if (bytes <= MAX_WORKSPACE_BYTES) return;
  throw new TailorError(
    'WORKSPACE_TOO_LARGE',
    `${label} is ${Math.ceil(bytes / 1024)} KiB, over the ${MAX_WORKSPACE_BYTES / 1024} KiB a workspace may hold`,
    [{ path: label, message: 'split long lists of segments or content into fewer, more general rules' }],
  );
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
