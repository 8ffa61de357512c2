import { collectActionIssues } from './collect-action-issues.ts';
import { collectContactPolicyIssues } from './collect-contact-policy-issues.ts';
import { collectPlacementIssues } from './collect-placement-issues.ts';
import { collectTriggerIssues } from './collect-trigger-issues.ts';
import { sectionKeys } from './scoped-condition-issues.ts';
import type { WorkspaceIssue } from './workspace-issue.ts';

/**
 * The checks of the decisions sections (`placements`, `actions`, `contact_policy`,
 * `decision_triggers`) a schema cannot express; see each `collect…Issues`. `document` is the
 * whole workspace document, read defensively: conditions and triggers may name its segments.
 */
export function collectDecisionIssues(document: Record<string, unknown>): WorkspaceIssue[] {
  const segmentKeys = sectionKeys(document.segments);
  return [
    ...collectPlacementIssues(document.placements, segmentKeys, document.experiments),
    ...collectActionIssues(document.actions, segmentKeys),
    ...collectContactPolicyIssues(document.contact_policy),
    ...collectTriggerIssues(document.decision_triggers, segmentKeys),
  ];
}
