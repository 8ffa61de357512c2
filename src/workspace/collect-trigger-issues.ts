import { isJsonObject } from '../ingest/merge-objects.ts';
import { unknownSegmentMessage } from './scoped-condition-issues.ts';
import type { WorkspaceIssue } from './workspace-issue.ts';

/**
 * Decision triggers: each names exactly one of `event` and `segment_entered`, and
 * `segment_entered` names a segment of the file (`segmentKeys`). Read defensively.
 */
export function collectTriggerIssues(triggers: unknown, segmentKeys: readonly string[]): WorkspaceIssue[] {
  if (!Array.isArray(triggers)) return [];
  const issues: WorkspaceIssue[] = [];
  triggers.forEach((trigger: unknown, index) => {
    if (!isJsonObject(trigger)) return;
    const { event, segment_entered: segment } = trigger;
    if (event === undefined && segment === undefined) {
      issues.push({
        path: ['decision_triggers', index],
        at: 'value',
        message:
          'a trigger needs `event` (a track event name, like Checkout Abandoned) or `segment_entered` (a segment key)',
      });
    } else if (event !== undefined && segment !== undefined) {
      issues.push({
        path: ['decision_triggers', index, 'segment_entered'],
        at: 'key',
        message: 'a trigger takes `event` or `segment_entered`, not both: list them as two triggers',
      });
    }
    if (typeof segment !== 'string' || segmentKeys.includes(segment)) return;
    issues.push({
      path: ['decision_triggers', index, 'segment_entered'],
      at: 'value',
      message: unknownSegmentMessage(segment, segmentKeys),
    });
  });
  return issues;
}
