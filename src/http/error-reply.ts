import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, type ErrorDetail, TailorError } from '../errors.ts';
import type { LimitedLog } from '../limited-log.ts';

/** The JSON body of every error answer. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: ErrorDetail[];
}

/** Fastify's own errors that mean the client sent something wrong, mapped to catalogue codes. */
/** Transient refusals: the client should retry the same request, after `Retry-After` seconds. */
const RETRY_LATER: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'OVERLOADED',
  'PREVIEW_BUSY',
  'STORE_UNAVAILABLE',
  'STORE_FULL',
  'WRITER_RECOVERING',
]);

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'REQUEST_TOO_LARGE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'INVALID_JSON',
  FST_ERR_VALIDATION: 'INVALID_EVENT',
};

/** Turns any thrown value into a catalogue error. */
export function toTailorError(error: unknown): TailorError {
  if (error instanceof TailorError) return error;
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
    const code = FASTIFY_CODES[error.code];
    if (code !== undefined) return new TailorError(code, error.message);
  }
  return new TailorError('INTERNAL');
}

/**
 * Fastify error handler: catalogue errors become `{ code, message, details }` with their status.
 * Client faults (4xx) are not logged; internal errors are, through `log` when given (a limited
 * log, since any caller may repeat a request that fails), else through the request's logger.
 */
export function replyWithError(
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
  log?: LimitedLog,
): void {
  const tailorError = toTailorError(error);
  if (tailorError.code === 'INTERNAL') {
    if (log === undefined) request.log.error({ err: error }, 'request failed');
    else log.error('request-failed', { err: error, reqId: request.id, url: request.url }, 'request failed');
  }
  if (RETRY_LATER.has(tailorError.code)) void reply.header('retry-after', '1');
  const body: ErrorBody = { code: tailorError.code, message: tailorError.message };
  if (tailorError.details.length > 0) body.details = tailorError.details;
  void reply.status(tailorError.status).send(body);
}
