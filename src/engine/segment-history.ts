import type { SegmentHour, SegmentMove, ViewStore } from '../store/ports/view-store.ts';

/** What a segment's history is drawn from: its size now, its counts by hour, its latest moves. */
export interface SegmentHistory {
  size: number;
  /** Entries and exits by hour from `from` on, oldest first. */
  hours: SegmentHour[];
  /** The latest entries and exits, newest first. */
  moves: SegmentMove[];
}

/** Reads a segment's history from the stored view: a count, a range of hours and an index range. */
export async function readSegmentHistory(
  store: ViewStore,
  query: { workspaceId: string; segment: string; from: number; limit: number },
): Promise<SegmentHistory> {
  const { workspaceId, segment } = query;
  const size = await store.segmentSize(workspaceId, segment);
  const hours = await store.segmentHours({ workspaceId, segment, from: query.from });
  const moves = await store.segmentMoves({ workspaceId, segment, limit: query.limit });
  return { size, hours, moves };
}
