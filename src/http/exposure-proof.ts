import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ExposureRow } from '../store/ports/exposure-log.ts';

/** How long after its decision a proof is still taken: a tab left open a day is not a new view. */
export const EXPOSURE_PROOF_TTL_MS = 86_400_000;

/**
 * Proofs of the placements a decide answered with `exposure: 'on_view'`, which the page hands
 * back through `POST /v1/exposures` once each is seen. A proof carries the exposure row itself,
 * signed with the server's key (HMAC-SHA256), so a write key can report only what decide really
 * showed its own visitor: never another variant, placement, profile or workspace.
 */
export interface ExposureProofs {
  /** The proof of one exposure row. */
  sign(row: ExposureRow): string;
  /** The row a proof carries, with `at` set to `now`; undefined when forged, malformed or expired. */
  open(proof: string, now: number): ExposureRow | undefined;
}

/** Makes the proofs of a key (at least 32 bytes of secret; every node of a deployment must share it). */
export function exposureProofs(key: string | Buffer): ExposureProofs {
  const mac = (payload: string): Buffer => createHmac('sha256', key).update(payload).digest();
  return {
    sign(row) {
      const payload = Buffer.from(
        JSON.stringify([
          row.workspaceId,
          row.profileId,
          row.userId,
          row.anonymousId,
          row.placement,
          row.variant,
          row.messageId,
          row.at,
        ]),
      ).toString('base64url');
      return `${payload}.${mac(payload).toString('base64url')}`;
    },
    open(proof, now) {
      const dot = proof.indexOf('.');
      if (dot < 1 || proof.length > 4_096) return undefined;
      const payload = proof.slice(0, dot);
      const given = Buffer.from(proof.slice(dot + 1), 'base64url');
      const expected = mac(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      const fields: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      if (!Array.isArray(fields) || fields.length !== 8) return undefined;
      const [workspaceId, profileId, userId, anonymousId, placement, variant, messageId, at] = fields;
      if (typeof at !== 'number' || now - at > EXPOSURE_PROOF_TTL_MS) return undefined;
      const text = (value: unknown): value is string => typeof value === 'string';
      const nullable = (value: unknown): value is string | null => value === null || text(value);
      if (!text(workspaceId) || !text(placement) || !text(variant) || !text(messageId)) return undefined;
      if (!nullable(profileId) || !nullable(userId) || !nullable(anonymousId)) return undefined;
      return { workspaceId, profileId, userId, anonymousId, placement, variant, messageId, at: now };
    },
  };
}
