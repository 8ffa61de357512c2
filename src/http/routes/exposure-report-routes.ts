import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Engine } from '../../engine/engine.ts';
import { TailorError } from '../../errors.ts';
import type { ExposureRow } from '../../store/ports/exposure-log.ts';
import { basicAuthKey } from '../credentials.ts';
import type { ExposureProofs } from '../exposure-proof.ts';
import type { KeyRing } from '../key-ring.ts';
import { ErrorSchema } from '../schemas.ts';

/** Most proofs one report may carry (a page rarely shows more placements than decide may fill). */
const MAX_PROOFS = 50;

const ReportSchema = Type.Object(
  {
    exposures: Type.Array(Type.String({ maxLength: 4_096 }), {
      maxItems: MAX_PROOFS,
      description: 'The `exposure` proofs of the placements seen, as decide answered them',
    }),
    writeKey: Type.Optional(Type.String({ description: 'The write key, when not sent as HTTP Basic auth' })),
  },
  { additionalProperties: false },
);

/**
 * `POST /v1/exposures`: a page reports the placements its visitor actually saw, for a decide
 * asked with `exposure: 'on_view'`. Each proof names the exposure decide signed; a valid one of
 * this write key's workspace is recorded in the exposure log as seen now (once per decision and
 * placement, however often it is sent). Forged, expired or foreign proofs are counted as
 * refused and change nothing, so a write key can only report what Tailor showed its visitor.
 */
export async function exposureReportRoutes(
  app: FastifyInstance,
  options: { engine: Engine; keys: KeyRing; proofs: ExposureProofs },
): Promise<void> {
  const { engine, keys, proofs } = options;
  app.post(
    '/v1/exposures',
    {
      schema: {
        tags: ['decide'],
        summary: 'Record the placements a visitor saw (decide with `exposure: on_view`)',
        security: [{ writeKey: [] }],
        body: ReportSchema,
        response: {
          200: Type.Object({
            recorded: Type.Integer({ description: 'Proofs taken (a repeated one is stored once)' }),
            refused: Type.Integer({ description: 'Proofs forged, expired or of another workspace' }),
          }),
          400: ErrorSchema,
          401: ErrorSchema,
        },
      },
    },
    async (request) => {
      const body = request.body as { exposures: string[]; writeKey?: string };
      const key = basicAuthKey(request.headers.authorization) ?? body.writeKey;
      if (key === undefined) throw new TailorError('MISSING_WRITE_KEY');
      const now = engine.clock();
      const grant = await keys.lookup(key, now);
      if (grant === undefined || grant.kind !== 'write') throw new TailorError('UNKNOWN_WRITE_KEY');
      const rows: ExposureRow[] = [];
      for (const proof of body.exposures) {
        const row = proofs.open(proof, now);
        if (row !== undefined && row.workspaceId === grant.workspaceId) rows.push(row);
      }
      engine.recordExposures(rows);
      return { recorded: rows.length, refused: body.exposures.length - rows.length };
    },
  );
}
