import { createHash } from 'node:crypto';
import { DEFAULT_IDENTITY_RULES } from '../identity/identity-rules.ts';
import { normalizeIdentifier } from '../identity/normalize-identifier.ts';

/** One `--map` entry: the profile field a CSV column sets (`user_id`, or a trait) and that column's header. */
export interface ContactField {
  target: string;
  column: string;
}

/** Where each mapped field sits in a CSV row, resolved once from the header. */
export interface ContactColumns {
  width: number;
  fields: { target: string; index: number }[];
}

/** A row read into an identify call, or why it cannot be one. */
export type ContactRow = { kind: 'event'; event: Record<string, unknown> } | { kind: 'bad'; reason: string };

const TARGET = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Reads `--map email=Email,first_name=First Name`: each entry names the trait to set (or
 * `user_id`) and the CSV column it comes from. Throws, saying what to fix, on a malformed entry
 * or a trait set twice.
 */
export function parseContactMap(spec: string): ContactField[] {
  const fields: ContactField[] = [];
  for (const entry of spec.split(',')) {
    const at = entry.indexOf('=');
    const target = entry.slice(0, at).trim();
    const column = entry.slice(at + 1).trim();
    if (at <= 0 || column === '' || !TARGET.test(target)) {
      throw new Error(
        `--map entry "${entry.trim()}" must be trait=Column (a trait name of letters, digits and _, then the CSV header)`,
      );
    }
    if (fields.some((field) => field.target === target)) throw new Error(`--map sets ${target} twice`);
    fields.push({ target, column });
  }
  return fields;
}

/**
 * Finds the mapped columns in a CSV header; without a map every column sets the trait of its
 * own name. Throws when a mapped column is not in the header, or when nothing identifies a
 * person (`user_id`, `email` or `phone`).
 */
export function contactColumns(header: string[], map: ContactField[] | undefined): ContactColumns {
  const names = header.map((name) => name.trim());
  const wanted =
    map ?? names.filter((name) => TARGET.test(name)).map((name) => ({ target: name, column: name }));
  const fields = wanted.map(({ target, column }) => {
    const index = names.indexOf(column);
    if (index === -1) throw new Error(`column "${column}" is not in the CSV header (${names.join(', ')})`);
    return { target, index };
  });
  if (!fields.some((field) => IDENTIFYING.has(field.target))) {
    throw new Error('map a column to user_id, email or phone: each contact must be identified by one');
  }
  return { width: names.length, fields };
}

const IDENTIFYING = new Set(['user_id', 'email', 'phone']);

/**
 * One CSV row as a Segment `identify` call: `user_id` is its `userId`, every other mapped column
 * a trait (empty cells are left out, so an import never blanks a trait). A contact without a
 * `user_id` gets a stable `anonymousId` derived from its email or phone (a hash, not the address
 * itself), since every call needs one of the two ids. A row whose field count differs from the
 * header's, or with neither a user id, a valid email nor a phone, is bad.
 */
export function contactRow(fields: string[], columns: ContactColumns): ContactRow {
  if (fields.length !== columns.width) {
    return { kind: 'bad', reason: `${fields.length} fields where the header has ${columns.width}` };
  }
  const traits: Record<string, string> = {};
  let userId: string | undefined;
  for (const { target, index } of columns.fields) {
    const value = fields[index]?.trim() ?? '';
    if (value === '') continue;
    if (target === 'user_id') userId = value;
    else traits[target] = value;
  }
  const email =
    traits.email === undefined
      ? undefined
      : normalizeIdentifier({ type: 'email', raw: traits.email, rules: DEFAULT_IDENTITY_RULES });
  if (traits.email !== undefined && email === undefined) {
    return { kind: 'bad', reason: `"${traits.email}" is not an email address` };
  }
  const key = email?.value ?? (traits.phone === undefined ? undefined : `phone:${traits.phone}`);
  if (userId === undefined && key === undefined) {
    return { kind: 'bad', reason: 'no user_id, email or phone' };
  }
  const event: Record<string, unknown> = { type: 'identify', traits };
  if (userId !== undefined) event.userId = userId;
  else if (key !== undefined) event.anonymousId = contactAnonymousId(key);
  return { kind: 'event', event };
}

/** `contact-<hash>`: the same contact always gets the same anonymous id, in every import. */
function contactAnonymousId(key: string): string {
  return `contact-${createHash('sha256').update(key).digest('base64url').slice(0, 22)}`;
}
