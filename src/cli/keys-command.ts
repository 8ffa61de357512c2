import { type Connection, callApi } from './connection.ts';

/** A key as `GET /v1/keys` shows it. */
interface KeyView {
  id: string;
  kind: string;
  source: string;
  name: string | null;
  hint: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

function isKeyView(value: unknown): value is KeyView {
  return (
    typeof value === 'object' &&
    value !== null &&
    'id' in value &&
    typeof value.id === 'string' &&
    'kind' in value &&
    typeof value.kind === 'string' &&
    'source' in value &&
    typeof value.source === 'string' &&
    'hint' in value &&
    typeof value.hint === 'string' &&
    'created_at' in value &&
    typeof value.created_at === 'string'
  );
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && name in value
    ? Object.getOwnPropertyDescriptor(value, name)?.value
    : undefined;
}

function keyView(value: unknown): KeyView {
  if (!isKeyView(value)) throw new Error('the server answered something that is not a key');
  return value;
}

function describe(key: KeyView): string {
  const state = key.revoked_at === null ? 'active' : `revoked ${key.revoked_at}`;
  const used = key.last_used_at === null ? 'never used' : `last used ${key.last_used_at}`;
  const name = key.name === null ? '' : ` "${key.name}"`;
  return `${key.id}  ${key.kind.padEnd(5)}  ${key.hint.padEnd(10)}  ${key.source.padEnd(9)}  created ${key.created_at}, ${used}, ${state}${name}`;
}

/** `tailor keys list`: one line per key (id, kind, hint, origin, times); never a key itself. */
export async function listKeys(input: { connection: Connection }): Promise<string> {
  const answer = await callApi({
    connection: input.connection,
    method: 'GET',
    path: '/v1/keys',
    auth: 'admin',
  });
  const list = field(answer, 'keys');
  if (!Array.isArray(list)) throw new Error('the server answered something that is not a key list');
  if (list.length === 0) return 'The workspace has no keys.\n';
  return `${list.map((key) => describe(keyView(key))).join('\n')}\n`;
}

/**
 * `tailor keys create`: creates a key and prints it, the one time it is ever shown (the server
 * keeps only its hash), with its id for a later revocation.
 */
export async function createKey(input: {
  connection: Connection;
  kind: 'write' | 'admin';
  name?: string;
}): Promise<string> {
  const answer = await callApi({
    connection: input.connection,
    method: 'POST',
    path: '/v1/keys',
    auth: 'admin',
    body: JSON.stringify({ kind: input.kind, ...(input.name === undefined ? {} : { name: input.name }) }),
  });
  const key = field(answer, 'key');
  const view = keyView(answer);
  if (typeof key !== 'string') throw new Error('the server answered without the key');
  return (
    `${key}\n` +
    `Created ${view.kind} key ${view.id}${view.name === null ? '' : ` "${view.name}"`}. ` +
    'Store it now: it is never shown again (`tailor keys list` shows only its hint).\n'
  );
}

/** `tailor keys revoke <id>`: revokes a key; it stops working at once. */
export async function revokeKey(input: { connection: Connection; id: string }): Promise<string> {
  const answer = await callApi({
    connection: input.connection,
    method: 'DELETE',
    path: `/v1/keys/${encodeURIComponent(input.id)}`,
    auth: 'admin',
  });
  const view = keyView(answer);
  return `Revoked ${view.kind} key ${view.id} (${view.hint}) at ${view.revoked_at ?? 'an unknown time'}.\n`;
}
