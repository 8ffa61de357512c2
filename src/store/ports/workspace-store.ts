import type { WorkspaceDefinition } from '../../workspace/workspace.ts';

/** The configuration: each workspace's current definition, versioned. */
export interface WorkspaceStore {
  /** Inserts or replaces a workspace definition, bumping its version. */
  saveWorkspace(definition: WorkspaceDefinition): Promise<StoredWorkspace>;
  getWorkspace(id: string): Promise<StoredWorkspace | undefined>;
  listWorkspaces(): Promise<StoredWorkspace[]>;
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
