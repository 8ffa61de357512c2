import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import type { JsonObject } from '../ingest/event.ts';
import { isJsonObject } from '../ingest/merge-objects.ts';
import { didYouMean } from './did-you-mean.ts';
import type { FieldPathSegment, WorkspaceIssue } from './workspace-issue.ts';

/** More problems than this are not listed: the first ones are what a user fixes first. */
export const MAX_SCHEMA_ISSUES = 50;

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  null: 'empty (null)',
  array: 'a list',
  object: 'a mapping (key: value)',
};

/**
 * Explains why `value` does not match `schema`, one issue per problem, in words a user of the
 * workspace file understands: unknown keys with a "did you mean", missing fields, wrong kinds
 * of values with the field's description. TypeBox's own errors point at JSON-schema keywords
 * and stop after 8; this walks the schema and the value together instead, and lets TypeBox
 * decide only which branch of a union was meant. Supports the JSON-schema keywords our
 * TypeBox schemas use.
 */
export function collectSchemaIssues(schema: TSchema, value: unknown): WorkspaceIssue[] {
  const issues: WorkspaceIssue[] = [];
  walk(schema, value, [], issues);
  return issues.slice(0, MAX_SCHEMA_ISSUES);
}

function walk(schema: unknown, value: unknown, path: FieldPathSegment[], issues: WorkspaceIssue[]): void {
  if (!isJsonObject(schema) || issues.length >= MAX_SCHEMA_ISSUES) return;
  if (Array.isArray(schema.anyOf)) {
    walkUnion(schema, schema.anyOf, value, path, issues);
    return;
  }
  if (Array.isArray(schema.enum)) {
    if (!schema.enum.includes(value)) issues.push(enumIssue(schema.enum, value, path));
    return;
  }
  const type = schema.type;
  if (typeof type === 'string' && !hasType(value, type)) {
    issues.push(valueIssue(path, `must be ${TYPE_NAMES[type] ?? type}, not ${describeValue(value)}`, schema));
    return;
  }
  if (Array.isArray(value)) walkArray(schema, value, path, issues);
  else if (isJsonObject(value)) walkObject(schema, value, path, issues);
  else if (typeof value === 'string') checkString(schema, value, path, issues);
  else if (typeof value === 'number') checkNumber(schema, value, path, issues);
}

function walkObject(
  schema: JsonObject,
  value: JsonObject,
  path: FieldPathSegment[],
  issues: WorkspaceIssue[],
): void {
  const properties = isJsonObject(schema.properties) ? schema.properties : {};
  const patterns = isJsonObject(schema.patternProperties) ? Object.entries(schema.patternProperties) : [];
  const required = Array.isArray(schema.required) ? schema.required : [];
  for (const key of required) {
    if (typeof key === 'string' && !Object.hasOwn(value, key)) {
      const about = describe(properties[key]);
      issues.push({
        path: [...path, key],
        at: 'value',
        message: `\`${key}\` is required${about ? `: ${about}` : ''}`,
      });
    }
  }
  for (const [key, field] of Object.entries(value)) {
    const fieldPath = [...path, key];
    if (Object.hasOwn(properties, key)) {
      walk(properties[key], field, fieldPath, issues);
      continue;
    }
    const pattern = patterns.find(([source]) => new RegExp(source, 'u').test(key));
    if (pattern !== undefined) {
      walk(pattern[1], field, fieldPath, issues);
      continue;
    }
    if (schema.additionalProperties === false)
      issues.push(unknownKeyIssue(key, Object.keys(properties), patterns, fieldPath));
    else if (isJsonObject(schema.additionalProperties))
      walk(schema.additionalProperties, field, fieldPath, issues);
  }
  const minProperties = schema.minProperties;
  if (typeof minProperties === 'number' && Object.keys(value).length < minProperties) {
    issues.push(valueIssue(path, `must hold at least ${plural(minProperties, 'entry', 'entries')}`, schema));
  }
}

function walkArray(
  schema: JsonObject,
  value: unknown[],
  path: FieldPathSegment[],
  issues: WorkspaceIssue[],
): void {
  const minItems = schema.minItems;
  if (typeof minItems === 'number' && value.length < minItems) {
    issues.push(valueIssue(path, `must list at least ${plural(minItems, 'item', 'items')}`, schema));
  }
  const maxItems = schema.maxItems;
  if (typeof maxItems === 'number' && value.length > maxItems) {
    issues.push(valueIssue(path, `must list at most ${plural(maxItems, 'item', 'items')}`, schema));
  }
  if (isJsonObject(schema.items)) {
    for (let index = 0; index < value.length; index += 1)
      walk(schema.items, value[index], [...path, index], issues);
  }
}

function checkString(
  schema: JsonObject,
  value: string,
  path: FieldPathSegment[],
  issues: WorkspaceIssue[],
): void {
  if (typeof schema.minLength === 'number' && value.length < schema.minLength) {
    const problem =
      value === '' ? 'must not be empty' : `must be at least ${schema.minLength} characters long`;
    issues.push(valueIssue(path, problem, schema));
  } else if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) {
    issues.push(valueIssue(path, `must be at most ${schema.maxLength} characters long`, schema));
  } else if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
    const about = describe(schema);
    issues.push({
      path,
      at: 'value',
      message: about
        ? `\`${value}\` is not valid here: ${about}`
        : `\`${value}\` must match ${schema.pattern}`,
    });
  }
}

function checkNumber(
  schema: JsonObject,
  value: number,
  path: FieldPathSegment[],
  issues: WorkspaceIssue[],
): void {
  if (typeof schema.minimum === 'number' && value < schema.minimum) {
    issues.push(valueIssue(path, `must be at least ${schema.minimum}, not ${value}`, schema));
  } else if (typeof schema.maximum === 'number' && value > schema.maximum) {
    issues.push(valueIssue(path, `must be at most ${schema.maximum}, not ${value}`, schema));
  }
}

/** A union: fine if any branch accepts the value; else explain against the one branch of the value's kind. */
function walkUnion(
  schema: JsonObject,
  branches: unknown[],
  value: unknown,
  path: FieldPathSegment[],
  issues: WorkspaceIssue[],
): void {
  const schemas = branches.filter(isJsonObject);
  if (schemas.some((branch) => Value.Check(branch, value))) return;
  const sameKind = schemas.filter((branch) => typeof branch.type === 'string' && hasType(value, branch.type));
  const [only] = sameKind;
  if (only !== undefined && sameKind.length === 1) {
    walk({ ...only, description: only.description ?? schema.description }, value, path, issues);
    return;
  }
  const kinds = [
    ...new Set(
      schemas.map((branch) => (typeof branch.type === 'string' ? TYPE_NAMES[branch.type] : undefined)),
    ),
  ];
  const named = kinds.filter((kind) => kind !== undefined);
  issues.push(valueIssue(path, `must be ${joinOr(named)}, not ${describeValue(value)}`, schema));
}

function unknownKeyIssue(
  key: string,
  known: string[],
  patterns: [string, unknown][],
  path: FieldPathSegment[],
): WorkspaceIssue {
  const suggestion = didYouMean(key, known);
  if (suggestion !== undefined)
    return { path, at: 'key', message: `unknown field \`${key}\`: did you mean \`${suggestion}\`?` };
  if (known.length > 0) {
    return {
      path,
      at: 'key',
      message: `unknown field \`${key}\`: expected one of ${known.map((k) => `\`${k}\``).join(', ')}`,
    };
  }
  const rule = patterns[0]?.[0];
  if (rule === undefined)
    return { path, at: 'key', message: `unknown field \`${key}\`: this mapping takes no fields` };
  const lower = key.toLowerCase();
  const hint = new RegExp(rule, 'u').test(lower) ? `did you mean \`${lower}\`?` : `names must match ${rule}`;
  return { path, at: 'key', message: `\`${key}\` is not an accepted name: ${hint}` };
}

function enumIssue(options: unknown[], value: unknown, path: FieldPathSegment[]): WorkspaceIssue {
  const names = options.map(String);
  const suggestion = typeof value === 'string' ? didYouMean(value, names) : undefined;
  const hint =
    suggestion === undefined ? `: use one of ${names.join(', ')}` : `: did you mean \`${suggestion}\`?`;
  return { path, at: 'value', message: `${describeValue(value)} is not accepted${hint}` };
}

function valueIssue(path: FieldPathSegment[], problem: string, schema: JsonObject): WorkspaceIssue {
  const about = describe(schema);
  return {
    path,
    at: 'value',
    message: about ? `${problem} (${lowerFirst(about).replace(/\.$/, '')})` : problem,
  };
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isJsonObject(value);
    default:
      return false;
  }
}

/** A value as a user wrote it: `7d`, 42, a list, empty. */
function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (typeof value === 'string') return `\`${value.length > 40 ? `${value.slice(0, 40)}…` : value}\``;
  if (Array.isArray(value)) return 'a list';
  if (isJsonObject(value)) return 'a mapping';
  return String(value);
}

function describe(schema: unknown): string | undefined {
  return isJsonObject(schema) && typeof schema.description === 'string' ? schema.description : undefined;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function joinOr(words: string[]): string {
  if (words.length <= 1) return words[0] ?? 'something else';
  return `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}
