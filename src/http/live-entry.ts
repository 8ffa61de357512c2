/**
 * One line of the live feed (`GET /v1/events/live`): an event taken in, or one the tracking API
 * refused and why. Types only, shared by the server that writes the feed and the console that
 * reads it.
 */
export type LiveEntry =
  | {
      kind: 'accepted';
      at: number;
      type: string;
      event: string | null;
      message_id: string;
      user_id: string | null;
      anonymous_id: string | null;
    }
  | { kind: 'refused'; at: number; code: string; message: string; path: string };

/** What a reader of the feed gets: an entry, or how many entries it missed while behind (`event: dropped`). */
export type LiveLine = LiveEntry | { kind: 'dropped'; at: number; count: number };
