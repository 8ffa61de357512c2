import { createHash } from 'node:crypto';

/**
 * The id of a profile created by an event. Derived from the workspace and the event's
 * messageId (unique per workspace), so replaying the log recreates the same ids.
 */
export function profileIdFor(workspaceId: string, messageId: string): string {
  const digest = createHash('sha256').update(workspaceId).update('\0').update(messageId).digest('base64url');
  return `prf_${digest.slice(0, 22)}`;
}
