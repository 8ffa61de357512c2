/**
 * The catalogue of stable error codes. Clients act on `code`; `message` says what to fix.
 * Every rejection Tailor makes, over HTTP or in the CLI, uses one of these.
 */
export const ERRORS = {
  INVALID_JSON: { status: 400, message: 'The body is not valid JSON' },
  INVALID_EVENT: { status: 400, message: 'The event does not follow the Segment spec' },
  MISSING_IDENTITY: { status: 400, message: 'Every event needs a userId or an anonymousId' },
  MISSING_EVENT_NAME: { status: 400, message: 'A track call needs an `event` name' },
  MISSING_PREVIOUS_ID: { status: 400, message: 'An alias call needs a `previousId` and a `userId`' },
  MISSING_GROUP_ID: { status: 400, message: 'A group call needs a `groupId`' },
  INVALID_TIMESTAMP: { status: 400, message: 'A timestamp is not an ISO-8601 date' },
  EVENT_TOO_LARGE: { status: 400, message: 'An event may be at most 32 KB' },
  TOO_DEEP: { status: 400, message: 'Objects and arrays may nest at most 64 deep' },
  INVALID_CHARACTERS: {
    status: 400,
    message: 'A string or key holds a NUL character or an unpaired surrogate half',
  },
  REQUEST_TOO_LARGE: { status: 413, message: 'A request may be at most 500 KB' },
  BATCH_TOO_LARGE: { status: 400, message: 'A batch may hold at most 2,500 events' },
  EMPTY_BATCH: { status: 400, message: 'A batch needs a non-empty `batch` array' },
  BATCH_REJECTED: { status: 400, message: 'No event of the batch was valid; see `rejected` for each one' },
  UNSUPPORTED_ENCODING: { status: 415, message: 'Only gzip and identity content encodings are accepted' },
  MISSING_WRITE_KEY: { status: 401, message: 'Send the write key as HTTP Basic username or `writeKey`' },
  UNKNOWN_WRITE_KEY: { status: 401, message: 'The write key is not known' },
  MISSING_ADMIN_KEY: { status: 401, message: 'Send the admin key as `Authorization: Bearer <key>`' },
  UNKNOWN_ADMIN_KEY: { status: 401, message: 'The admin key is not known' },
  MISSING_OPERATOR_KEY: {
    status: 401,
    message: 'Send the operator key (TAILOR_OPERATOR_KEY) as `Authorization: Bearer <key>`',
  },
  UNKNOWN_OPERATOR_KEY: {
    status: 401,
    message:
      "The operator key is not this server's (an admin key manages one workspace and cannot create others)",
  },
  WORKSPACE_EXISTS: { status: 409, message: 'A workspace has this id already' },
  KEY_NOT_FOUND: { status: 404, message: 'No key of this workspace has this id' },
  LAST_ADMIN_KEY: {
    status: 409,
    message: "The workspace's last admin key cannot be revoked; create another admin key first",
  },
  INVALID_KEY_REQUEST: {
    status: 400,
    message: 'A new key needs `kind` ("write" or "admin") and may have a `name` of up to 100 characters',
  },
  OVERLOADED: { status: 429, message: 'Tailor is busy; retry after the number of seconds in Retry-After' },
  STORE_UNAVAILABLE: {
    status: 503,
    message:
      'The database is unreachable (restarting or failing over); retry after the number of seconds in Retry-After',
  },
  WRITER_RECOVERING: {
    status: 503,
    message:
      'Tailor is recovering from a storage fault by replaying its log; retry after the number of seconds in Retry-After',
  },
  STORE_FULL: {
    status: 503,
    message:
      'The disk holding the database is full; nothing of the request was written. Free space; Tailor resumes by itself',
  },
  BUS_UNAVAILABLE: {
    status: 503,
    message:
      'The event bus (NATS JetStream) is unreachable or did not acknowledge in time; retry with the same messageIds after the number of seconds in Retry-After',
  },
  PARTITION_LEASE_LOST: {
    status: 503,
    message:
      "This node's lease on a partition was taken by another node; its commit was refused and the partition is served there",
  },
  PROFILE_NOT_FOUND: { status: 404, message: 'No profile matches this reference' },
  STORE_LOCKED: {
    status: 503,
    message:
      'Another Tailor process is writing to this database; stop it, or give this one a database of its own',
  },
  STORE_LOCK_LOST: {
    status: 503,
    message:
      'This Tailor lost its hold on the database to another process and stopped writing; restart it once only one Tailor uses the database',
  },
  ERASE_NOT_FLUSHED: {
    status: 503,
    message:
      'The person was erased, but a process reading the database file kept its WAL from being truncated: old copies remain there until the next erase or a clean stop',
  },
  INVALID_PROFILE_REF: { status: 400, message: 'A profile reference is a profile id or `type:value`' },
  INVALID_WORKSPACE: { status: 400, message: 'The workspace definition is invalid' },
  WORKSPACE_TOO_LARGE: { status: 413, message: 'A workspace file or document may be at most 1 MiB' },
  INVALID_CONDITION: { status: 400, message: 'The condition is invalid' },
  INVALID_DECISIONS: { status: 400, message: 'The decisions definition is invalid' },
  INVALID_SEGMENT: { status: 400, message: 'The segment is invalid' },
  PREVIEW_BUSY: {
    status: 429,
    message: 'Another segment preview is running; retry after the number of seconds in Retry-After',
  },
  SEGMENT_NOT_FOUND: { status: 404, message: 'No segment has this key' },
  AUDIENCE_NOT_FOUND: { status: 404, message: 'No audience channel mirrors this segment' },
  JOURNEY_NOT_FOUND: { status: 404, message: 'No journey has this key' },
  VERSION_NOT_FOUND: { status: 404, message: 'The workspace has no kept version with this number' },
  SEGMENT_EXISTS: { status: 409, message: 'A segment has this key already' },
  SEGMENT_IN_USE: { status: 409, message: 'Another segment tests this one' },
  INVALID_DECIDE_REQUEST: { status: 400, message: 'The decide request is invalid' },
  INVALID_SCENARIO: { status: 400, message: 'The simulation scenario is invalid' },
  EXPERIMENT_NOT_FOUND: { status: 404, message: 'No experiment has this key' },
  INVALID_SIGNATURE: { status: 401, message: 'The callback signature does not match' },
  RESERVED_EVENT: { status: 400, message: 'This event name is one Tailor records itself' },
  INVALID_CURSOR: { status: 400, message: 'The page cursor is not one a previous page gave' },
  SEND_NOT_REDRIVABLE: { status: 409, message: 'Only dead or failed sends can be re-driven' },
  NOT_FOUND: { status: 404, message: 'No such route' },
  INTERNAL: { status: 500, message: 'Internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

/** A stable error code from the catalogue. */
export type ErrorCode = keyof typeof ERRORS;

/** A problem with one field of the input: where it is and what to fix. */
export interface ErrorDetail {
  /** JSON path (`batch[3].event`) or file position (`tailor.yaml:12:3 computed_traits[0].window`). */
  path: string;
  message: string;
}

/** A typed error carrying a catalogue code; the HTTP layer maps it to its status. */
export class TailorError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetail[];

  constructor(code: ErrorCode, message?: string, details: ErrorDetail[] = []) {
    super(message ?? ERRORS[code].message);
    this.name = 'TailorError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
  }
}

/** Narrows an unknown thrown value to a TailorError. */
export function isTailorError(error: unknown): error is TailorError {
  return error instanceof TailorError;
}
