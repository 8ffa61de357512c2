/**
 * SQLSTATEs that mean the server went away or refused the session, not that the statement was
 * wrong: class 08 (connection exception) and 57P01–57P03 (admin shutdown, crash shutdown,
 * cannot connect now — the server is starting or stopping).
 */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03']);

/** Node socket errors of a connection that could not be made or was cut. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** Messages `pg` itself gives a query whose connection ended (they carry no code). */
const LOST_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'timeout exceeded when trying to connect',
  // `query_timeout`: no answer in time, as from a peer gone without a reset.
  'Query read timeout',
];

/**
 * Whether an error from `pg` means the database is unreachable or dropped the connection, so
 * the call may succeed once it is back: the one place the PostgreSQL store classifies errors.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = 'code' in error ? error.code : undefined;
  if (typeof code === 'string') {
    if (UNAVAILABLE_STATES.has(code) || code.startsWith('08') || SOCKET_CODES.has(code)) return true;
  }
  if (error instanceof AggregateError && error.errors.some(isConnectionError)) return true;
  return LOST_MESSAGES.some((message) => error.message.includes(message));
}
