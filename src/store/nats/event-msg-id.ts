import { createHash } from 'node:crypto';

/**
 * The `Nats-Msg-Id` of an event: JetStream's de-duplication key, from its workspace and
 * `messageId` (the same pair the embedded log is unique on). Hashed (SHA-256, base64url, 43
 * characters) because a messageId is any client string, and a header value must be short and
 * hold no line breaks; NUL, which neither part may contain, separates the two.
 */
export function eventMsgId(workspaceId: string, messageId: string): string {
  return createHash('sha256').update(workspaceId).update('\u0000').update(messageId).digest('base64url');
}
