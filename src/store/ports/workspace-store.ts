import type { WorkspaceDefinition } from '../../workspace/workspace.ts';

/** The configuration: each workspace's current definition, versioned, with every version kept. */
export interface WorkspaceStore {
  /**
   * Inserts or replaces a workspace definition, bumping its version when it differs from the
   * stored one; the new version is kept with `source` (who, when, the file as written) in the
   * same transaction. Without a source it is kept as `unknown`, with no text or key.
   */
  saveWorkspace(definition: WorkspaceDefinition, source?: VersionSource): Promise<StoredWorkspace>;
  getWorkspace(id: string): Promise<StoredWorkspace | undefined>;
  listWorkspaces(): Promise<StoredWorkspace[]>;
  /** A workspace's kept versions, newest first, below `before` when given, at most `limit`. */
  workspaceVersions(query: {
    workspaceId: string;
    before?: number;
    limit: number;
  }): Promise<WorkspaceVersion[]>;
  /** One kept version of a workspace. */
  workspaceVersion(workspaceId: string, version: number): Promise<WorkspaceVersion | undefined>;
}

/**
 * Where a version came from: `file` the workspace file at `tailor start`, `api` a definition
 * put through the admin API (`tailor apply`, the console), `segments` a segment saved or
 * deleted through the segments API, `rollback` an earlier version applied again, `created` a
 * workspace created through the operator API, `unknown` a version saved before versions were
 * kept (or without a source).
 */
export type VersionOrigin = 'file' | 'api' | 'segments' | 'rollback' | 'created' | 'unknown';

/** Who made a version, when, and from what text. */
export interface VersionSource {
  origin: VersionOrigin;
  /** The public id of the admin key that made it (`key_…`); null when no key did. */
  keyId: string | null;
  /**
   * The workspace file as it was applied (YAML, or JSON), secrets included: kept so the version
   * can be applied again, and shown only redacted. Null when the definition came without a
   * file (a segment saved through the API).
   */
  text: string | null;
  /** When it was saved (epoch ms); null for versions kept before versions had times. */
  at: number | null;
  /** For a rollback, the version applied again. */
  restoredFrom?: number;
}

/** A kept version of a workspace definition. */
export interface WorkspaceVersion extends VersionSource {
  workspaceId: string;
  version: number;
  definition: WorkspaceDefinition;
}

/** A stored workspace with its current definition. */
export interface StoredWorkspace {
  id: string;
  definition: WorkspaceDefinition;
  /** Increases by one each time the definition changes. */
  version: number;
  /**
   * The definition version the committed view was last rebuilt with (0 before the first
   * rebuild). Behind `version` means a rebuild was cut short: the engine redoes it on open.
   */
  viewVersion: number;
}
