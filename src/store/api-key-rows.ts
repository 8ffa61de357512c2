import { randomBytes } from 'node:crypto';
import type { ApiKeyRecord, KeyKind, KeySource, NewApiKey } from './ports/key-store.ts';

/** An `api_keys` row as both adapters read it (BIGINT times arrive as strings from PostgreSQL). */
export interface ApiKeyRow {
  id: string;
  workspace_id: string;
  kind: string;
  source: string;
  name: string | null;
  hint: string;
  created_at: number | string;
  last_used_at: number | string | null;
  revoked_at: number | string | null;
}

/** A new public key id: `key_` and 12 random bytes, unrelated to the key or its hash. */
export function newKeyId(): string {
  return `key_${randomBytes(12).toString('base64url')}`;
}

/** The values an adapter inserts for a new key, with the defaults of `NewApiKey` filled in. */
export function keyToInsert(
  key: NewApiKey,
  now: number,
): Omit<ApiKeyRecord, 'lastUsedAt' | 'revokedAt'> & { hash: string } {
  return {
    id: key.id ?? newKeyId(),
    workspaceId: key.workspaceId,
    kind: key.kind,
    hash: key.hash,
    source: key.source ?? 'api',
    name: key.name ?? null,
    hint: key.hint ?? '',
    createdAt: key.createdAt ?? now,
  };
}

function kindOf(text: string): KeyKind {
  if (text === 'write' || text === 'admin') return text;
  throw new Error(`api_keys.kind "${text}" is not a key kind`);
}

function sourceOf(text: string): KeySource {
  if (text === 'env' || text === 'generated' || text === 'api') return text;
  throw new Error(`api_keys.source "${text}" is not a key source`);
}

function time(value: number | string | null): number | null {
  if (value === null) return null;
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new Error(`api_keys time ${value} is not an integer`);
  return number;
}

/** A stored key row as the port's record. */
export function keyFromRow(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    kind: kindOf(row.kind),
    source: sourceOf(row.source),
    name: row.name,
    hint: row.hint,
    createdAt: time(row.created_at) ?? 0,
    lastUsedAt: time(row.last_used_at),
    revokedAt: time(row.revoked_at),
  };
}
