import type { FastifyBaseLogger } from 'fastify';
import type { SegmentDef } from '../audience/audience-def.ts';
import type { Engine } from '../engine/engine.ts';
import { readSegmentHistory, type SegmentHistory } from '../engine/segment-history.ts';
import { SerialQueue } from '../engine/serial-queue.ts';
import { TailorError } from '../errors.ts';
import type { MembersPage } from '../store/ports/view-store.ts';
import { checkSegment, segmentRemovalIssues } from '../workspace/validate-segment.ts';
import type { WorkspaceDefinition } from '../workspace/workspace.ts';
import { issueDetails, withoutSegment, withSegment } from './segment-view.ts';
import { type StartedApply, startApply } from './start-apply.ts';

/**
 * Reads and changes workspaces' segments through their definitions. Changes of one workspace
 * run one at a time, each on the definition the one before saved, so concurrent requests never
 * lose each other's segments; each resolves once its definition is saved, while the back-fill
 * runs on (a failure of it is logged).
 */
export class SegmentEditor {
  private readonly queues = new Map<string, SerialQueue>();
  private readonly engine: Engine;
  private readonly logger: FastifyBaseLogger;

  constructor(engine: Engine, logger: FastifyBaseLogger) {
    this.engine = engine;
    this.logger = logger;
  }

  /** The workspace's current definition. */
  definition(workspaceId: string): WorkspaceDefinition {
    const compiled = this.engine.workspace(workspaceId);
    if (compiled === undefined) throw new TailorError('NOT_FOUND', `unknown workspace ${workspaceId}`);
    return compiled.definition;
  }

  /** The workspace's segment `key`; SEGMENT_NOT_FOUND when there is none. */
  segment(workspaceId: string, key: string): SegmentDef {
    return findSegment(this.definition(workspaceId), key);
  }

  /**
   * A segment's size: through the engine, which commits pending changes first, but while the
   * workspace's back-fill runs, as last committed in the store instead of waiting for the rebuild.
   */
  size(workspaceId: string, key: string): Promise<number> {
    if (this.engine.rebuildProgress(workspaceId) !== undefined) {
      return this.engine.storedView.segmentSize(workspaceId, key);
    }
    return this.engine.reads.segmentSize(workspaceId, key);
  }

  /** A segment's size, entries and exits by hour from `from`, and its latest `limit` moves, read like `size`. */
  history(workspaceId: string, key: string, page: { from: number; limit: number }): Promise<SegmentHistory> {
    const query = { workspaceId, segment: key, ...page };
    if (this.engine.rebuildProgress(workspaceId) !== undefined) {
      return readSegmentHistory(this.engine.storedView, query);
    }
    return this.engine.reads.segmentHistory(query);
  }

  /** A page of a segment's members, by profile id, read like `size`. */
  members(workspaceId: string, key: string, page: { after?: string; limit: number }): Promise<MembersPage> {
    if (this.engine.rebuildProgress(workspaceId) !== undefined) {
      return this.engine.storedView.segmentMembers({ workspaceId, segment: key, ...page });
    }
    return this.engine.reads.segmentMembers(workspaceId, key, page);
  }

  /**
   * Saves the segment body `prepare` makes from the definition it will join (and may refuse),
   * in place of the segment of the same key or appended, after checking it like a `segments`
   * entry of the workspace file (INVALID_SEGMENT, details at paths inside the body).
   */
  async saveSegment(
    by: Editor,
    prepare: (definition: WorkspaceDefinition) => unknown,
  ): Promise<{ key: string; started: StartedApply }> {
    let key = '';
    const started = await this.edit(by, (definition) => {
      const check = checkSegment(definition, prepare(definition));
      if (check.issues !== undefined) {
        const count = check.issues.length === 1 ? '1 problem' : `${check.issues.length} problems`;
        throw new TailorError(
          'INVALID_SEGMENT',
          `The segment is not valid: ${count}`,
          issueDetails(check.issues),
        );
      }
      key = check.segment.key;
      return withSegment(definition, check.segment);
    });
    return { key, started };
  }

  /** Removes the segment `key`: SEGMENT_NOT_FOUND, or SEGMENT_IN_USE while another segment tests it. */
  removeSegment(by: Editor, key: string): Promise<StartedApply> {
    return this.edit(by, (definition) => {
      findSegment(definition, key);
      const issues = segmentRemovalIssues(definition, key);
      if (issues.length > 0) {
        const users = [...new Set(issues.map((issue) => `\`${String(issue.path[1])}\``))].join(', ');
        throw new TailorError(
          'SEGMENT_IN_USE',
          `Segment \`${key}\` is tested by ${users}: change or delete ${issues.length === 1 ? 'it' : 'them'} first`,
          issueDetails(issues),
        );
      }
      return withoutSegment(definition, key);
    });
  }

  /** Saves `change` of the definition after the workspace's earlier edits were saved, as a version made by `by`. */
  private async edit(
    by: Editor,
    change: (definition: WorkspaceDefinition) => WorkspaceDefinition,
  ): Promise<StartedApply> {
    const { workspaceId, keyId } = by;
    let queue = this.queues.get(workspaceId);
    if (queue === undefined) {
      queue = new SerialQueue();
      this.queues.set(workspaceId, queue);
    }
    const started = await queue.run(() =>
      startApply(this.engine, {
        definition: change(this.definition(workspaceId)),
        source: { origin: 'segments', keyId, text: null, at: this.engine.clock() },
      }),
    );
    started.finished.catch((error: unknown) =>
      this.logger.error({ err: error, workspace: workspaceId }, 'segment back-fill failed'),
    );
    return started;
  }
}

/** Whose change a segment edit is: the workspace and the admin key's public id. */
export interface Editor {
  workspaceId: string;
  keyId: string;
}

function findSegment(definition: WorkspaceDefinition, key: string): SegmentDef {
  const segment = definition.segments?.find((candidate) => candidate.key === key);
  if (segment === undefined) throw new TailorError('SEGMENT_NOT_FOUND', `No segment has the key \`${key}\``);
  return segment;
}
