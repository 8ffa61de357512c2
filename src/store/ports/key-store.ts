/** API keys, by the hash of their material: registered, looked up, listed, revoked, marked used. */
export interface KeyStore {
  /**
   * Registers an API key by its SHA-256 hash (hex); registering the same hash twice is a no-op
   * (a revoked key stays revoked). Returns the key as stored.
   */
  addKey(key: NewApiKey): Promise<ApiKeyRecord>;
  /** The key with this hash, unless it is unknown or revoked. */
  findKey(hash: string): Promise<KeyMatch | undefined>;
  /** A workspace's keys, revoked ones included, oldest first (then by id). */
  listKeys(workspaceId: string): Promise<ApiKeyRecord[]>;
  /**
   * Revokes a workspace's key at `at`, at once for every later `findKey`. A key revoked before is
   * answered as it is. With `keepLastAdmin`, the last unrevoked admin key of the workspace is
   * refused (`last_admin`), checked in the same transaction.
   */
  revokeKey(revocation: {
    workspaceId: string;
    id: string;
    at: number;
    keepLastAdmin: boolean;
  }): Promise<KeyRevocation>;
  /** Records a key's last use; an older `at` than the stored one changes nothing. */
  touchKey(id: string, at: number): Promise<void>;
}

/** The kinds of API key: write keys only send events; admin keys read and change everything. */
export type KeyKind = 'write' | 'admin';

/**
 * Where a key came from: `env` (TAILOR_WRITE_KEY / TAILOR_ADMIN_KEY at start; a start with other
 * ones revokes these), `generated` (made at a first start and saved in the data dir; replaced by
 * env keys too), or `api` (created through the admin API or CLI; only a revocation ends it).
 */
export type KeySource = 'env' | 'generated' | 'api';

/** A key to register. The plain key is never given to the store: only its hash and a hint. */
export interface NewApiKey {
  workspaceId: string;
  kind: KeyKind;
  /** SHA-256 of the key (hex): what lookups use. */
  hash: string;
  /** Stable public id (`key_…`); a random one when absent. */
  id?: string;
  /** Default `api`. */
  source?: KeySource;
  name?: string | null;
  /** What lists show of the key material (`wk_…abcd`); empty when absent. */
  hint?: string;
  /** Epoch ms; the store's clock when absent. */
  createdAt?: number;
}

/** A registered key as lists show it: never its material or hash, only a hint. */
export interface ApiKeyRecord {
  id: string;
  workspaceId: string;
  kind: KeyKind;
  source: KeySource;
  name: string | null;
  hint: string;
  createdAt: number;
  /** Last authenticated use, written at most once a minute per key (so up to a minute behind). */
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** What a key lookup grants: the key's id, its workspace and kind. */
export interface KeyMatch {
  id: string;
  workspaceId: string;
  kind: KeyKind;
}

/** The outcome of `revokeKey`. */
export type KeyRevocation =
  | { kind: 'revoked'; key: ApiKeyRecord }
  | { kind: 'not_found' }
  | { kind: 'last_admin' };
