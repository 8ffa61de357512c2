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
