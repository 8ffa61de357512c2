import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { hashKey } from '../engine/api-keys.ts';
import { TailorError } from '../errors.ts';
import { bearerKey } from './credentials.ts';

/**
 * A check that a request carries the server's operator key (`Authorization: Bearer
 * <TAILOR_OPERATOR_KEY>`), compared in constant time: throws MISSING_OPERATOR_KEY without a
 * bearer key, UNKNOWN_OPERATOR_KEY with any other — and with every key when no operator key is
 * configured, so nobody may call what it guards.
 */
export function operatorGuard(operatorKey: string | undefined): (request: FastifyRequest) => void {
  const expected = operatorKey === undefined ? undefined : Buffer.from(hashKey(operatorKey), 'utf8');
  return (request) => {
    const key = bearerKey(request.headers.authorization);
    if (key === undefined) throw new TailorError('MISSING_OPERATOR_KEY');
    const given = Buffer.from(hashKey(key), 'utf8');
    if (expected === undefined || given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new TailorError('UNKNOWN_OPERATOR_KEY');
  };
}
