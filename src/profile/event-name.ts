import type { TailorEvent } from '../ingest/event.ts';

/** The name an event goes by: the `track` event name, or the `page`/`screen` name; other calls have none. */
export function eventName(event: TailorEvent): string | undefined {
  switch (event.type) {
    case 'track':
      return event.event;
    case 'page':
    case 'screen':
      return event.name;
    default:
      return undefined;
  }
}
