import { recordedByTailor, type TailorEvent } from '../ingest/event.ts';
import { DECISION_MADE } from '../ingest/reserved-events.ts';
import type { ProfileState } from './profile.ts';

/** An in-app message decided for the person: what the site shows them through a placement. */
export interface InboxMessage {
  action: string;
  /** The action's rendered `in_app` content. */
  content: Record<string, unknown>;
  /** When it was decided (epoch ms). */
  at: number;
  /** The `Decision Made` that decided it, to attribute what the person does with it. */
  decisionId: string;
}

/**
 * Keeps the latest in-app message: a recorded `Decision Made` with an action on the `in_app`
 * channel puts its content in the profile's inbox (the web/in-app channel has no provider: the
 * person sees it on the site, through a placement whose variant reads `inbox`, like
 * `when: { inbox.action: { $exists: true } }` with `{{ profile.inbox.content.title }}`). A later
 * such decision replaces it.
 */
export function recordInbox(profile: ProfileState, event: TailorEvent): void {
  if (event.type !== 'track' || event.event !== DECISION_MADE || !recordedByTailor(event)) return;
  const { outcome, channel, action, content } = event.properties;
  if (outcome !== 'action' || channel !== 'in_app' || typeof action !== 'string') return;
  if (profile.inbox !== undefined && profile.inbox.at > event.timestamp) return;
  profile.inbox = {
    action,
    content: typeof content === 'object' && content !== null && !Array.isArray(content) ? { ...content } : {},
    at: event.timestamp,
    decisionId: event.messageId,
  };
}
