import type { MergeRecord } from '../ports/view-store.ts';

/** A pointer from one profile id to another within a workspace: an alias row, or a repoint. */
export interface IdPointer {
  workspaceId: string;
  fromId: string;
  intoId: string;
}

/** What a batch of merges does to the stored pointers, computed before writing anything. */
export interface MergePlan {
  /** Alias rows to insert or replace, so every merged id points straight at its survivor. */
  aliases: IdPointer[];
  /**
   * Where identifiers and event links pointing at `fromId` end up after all the merges, each
   * applied to what the previous ones left; applied in one pass (`fromId` ≠ `intoId`).
   */
  repoints: IdPointer[];
}

const keyOf = (workspaceId: string, id: string): string => JSON.stringify([workspaceId, id]);

/**
 * Plans a commit's merges in order, exactly as the SQLite store applies them one by one:
 * each merge resolves its survivor through the aliases so far, records `fromId → survivor`
 * and repoints every alias, identifier and link that pointed at `fromId`. `stored` holds the
 * alias rows already stored whose `fromId` or `intoId` is an id of these merges — the only
 * rows a merge can read or change — so the writes can be batched instead of run per merge.
 */
export function planMerges(merges: MergeRecord[], stored: IdPointer[]): MergePlan {
  const aliases = new Map<string, IdPointer>();
  const pointingAt = new Map<string, Set<string>>();
  const changed = new Set<string>();
  const setAlias = (row: IdPointer): void => {
    const key = keyOf(row.workspaceId, row.fromId);
    const previous = aliases.get(key);
    if (previous !== undefined) pointingAt.get(keyOf(previous.workspaceId, previous.intoId))?.delete(key);
    aliases.set(key, row);
    const target = keyOf(row.workspaceId, row.intoId);
    const sources = pointingAt.get(target) ?? new Set<string>();
    sources.add(key);
    pointingAt.set(target, sources);
  };
  for (const row of stored) setAlias(row);

  const steps: IdPointer[] = [];
  for (const merge of merges) {
    const ws = merge.workspaceId;
    const into = aliases.get(keyOf(ws, merge.intoId))?.intoId ?? merge.intoId;
    if (merge.fromId === into) continue;
    const step = { workspaceId: ws, fromId: merge.fromId, intoId: into };
    steps.push(step);
    setAlias(step);
    changed.add(keyOf(ws, merge.fromId));
    for (const key of [...(pointingAt.get(keyOf(ws, merge.fromId)) ?? [])]) {
      const row = aliases.get(key);
      if (row === undefined) continue;
      setAlias({ ...row, intoId: into });
      changed.add(key);
    }
  }

  // Composing the steps backwards gives each id's final target in one pass over them.
  const finalTarget = new Map<string, IdPointer>();
  for (const step of steps.toReversed()) {
    const next = finalTarget.get(keyOf(step.workspaceId, step.intoId))?.intoId ?? step.intoId;
    finalTarget.set(keyOf(step.workspaceId, step.fromId), { ...step, intoId: next });
  }
  return {
    aliases: [...changed].flatMap((key) => aliases.get(key) ?? []),
    repoints: [...finalTarget.values()].filter((row) => row.fromId !== row.intoId),
  };
}
