import type { FastifyRequest } from 'fastify';
import { TailorError } from '../errors.ts';
import { bearerKey } from './credentials.ts';
import type { KeyRing } from './key-ring.ts';

/**
 * Authenticates an admin request by its Bearer key and returns the workspace it may see.
 * Write keys are refused here: they can only send events.
 */
export async function adminWorkspace(request: FastifyRequest, keys: KeyRing, now: number): Promise<string> {
  return (await adminGrant(request, keys, now)).workspaceId;
}

/** As `adminWorkspace`, with the admin key's public id too (for records of who changed what). */
export async function adminGrant(
  request: FastifyRequest,
  keys: KeyRing,
  now: number,
): Promise<{ workspaceId: string; keyId: string }> {
  const key = bearerKey(request.headers.authorization);
  if (key === undefined) throw new TailorError('MISSING_ADMIN_KEY');
  const grant = await keys.lookup(key, now);
  if (grant === undefined || grant.kind !== 'admin') throw new TailorError('UNKNOWN_ADMIN_KEY');
  return { workspaceId: grant.workspaceId, keyId: grant.id };
}
