import type { FastifyRequest } from 'fastify';
import { TailorError } from '../errors.ts';
import { findJsonProblem } from '../ingest/find-json-problem.ts';

const PROVIDER_CALLBACKS = '/v1/webhooks/';

/**
 * A `preValidation` hook for every route: a body Fastify parsed into JSON (the decide API, the
 * admin API) is refused with TOO_DEEP or INVALID_CHARACTERS and its JSON path before any schema,
 * handler or store sees it, as tracking events are. The decide API records its `context` in the
 * event log, so a body past these limits could otherwise fail a later replay or rebuild. Raw
 * bodies (the tracking API, WhatsApp callbacks, YAML) arrive as a Buffer or string and are
 * checked by their own routes, per event. Provider callbacks (`/v1/webhooks/…`) are exempt: a
 * verified callback is never refused, its text is made storable instead.
 */
export async function guardJsonBody(request: FastifyRequest): Promise<void> {
  const { body } = request;
  if (body === null || typeof body !== 'object' || Buffer.isBuffer(body)) return;
  if (request.routeOptions.url?.startsWith(PROVIDER_CALLBACKS) === true) return;
  const problem = findJsonProblem({ value: body });
  if (problem !== undefined) {
    throw new TailorError(problem.code, problem.message, [{ path: problem.path, message: problem.message }]);
  }
}
