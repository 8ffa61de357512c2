/**
 * The limits of the Segment HTTP Tracking API, kept so that any client that works against
 * Segment works against Tailor, and nothing bigger gets in. Sizes are bytes of JSON after any
 * gzip decoding (1 KB = 1,024 bytes, as Segment's own libraries count).
 */

/** Largest event, as its JSON: a single call's body or one item of a batch. */
export const EVENT_MAX_BYTES = 32 * 1024;

/** Largest request body after decoding, for any call including `batch`. */
export const REQUEST_MAX_BYTES = 500 * 1024;

/** Most items one `batch` call may hold; more fails the whole request. */
export const BATCH_MAX_EVENTS = 2_500;

/** Longest client `messageId` kept (after trimming); a longer one is replaced by a fresh id. */
export const MESSAGE_ID_MAX_LENGTH = 200;

/**
 * Deepest nesting of objects and arrays in one event, the event itself counting as level 1
 * (`properties` is level 2). Checked at the edge, iteratively, before anything is written: every
 * later stage (merges, serialization, replay, rebuild) may then walk an event recursively
 * without any risk to the stack. Generous for real data; Segment's own payloads rarely pass 5.
 */
export const JSON_MAX_DEPTH = 64;

/**
 * How far past the moment Tailor received it an event's time may lie (ms). Within it, a clock
 * a little ahead (an NTP-synced server, a request's own latency) keeps its precise time; beyond
 * it the client clock is plainly wrong, and the event is dated when Tailor received it, the
 * latest time it can have happened by. Without this, an event dated 9999-12-31 would outrank
 * every later update of the traits it sets, since traits keep the newest by event time.
 */
export const FUTURE_TOLERANCE_MS = 60_000;
