import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Engine } from '../../engine/engine.ts';
import { TailorError } from '../../errors.ts';
import type { ExposurePage, StoredExposure } from '../../store/ports/exposure-log.ts';
import { adminWorkspace } from '../admin-auth.ts';
import type { KeyRing } from '../key-ring.ts';
import { ErrorSchema, ProfileRefParams } from '../schemas.ts';

const ExposureSchema = Type.Object(
  {
    profile_id: Type.Union([Type.String(), Type.Null()], {
      description: 'The profile decided for; null for a visitor Tailor did not know yet',
    }),
    user_id: Type.Union([Type.String(), Type.Null()]),
    anonymous_id: Type.Union([Type.String(), Type.Null()]),
    placement: Type.String(),
    variant: Type.String(),
    decision_id: Type.String({ description: 'The messageId of the decision that showed it' }),
    at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
  before: Type.Optional(Type.Integer({ minimum: 1, description: '`next_before` of the previous page' })),
});

const PageSchema = Type.Object({
  exposures: Type.Array(ExposureSchema),
  next_before: Type.Optional(Type.Integer()),
});

/** An exposure as the API shows it. */
function exposureView(exposure: StoredExposure): Record<string, unknown> {
  return {
    profile_id: exposure.profileId,
    user_id: exposure.userId,
    anonymous_id: exposure.anonymousId,
    placement: exposure.placement,
    variant: exposure.variant,
    decision_id: exposure.messageId,
    at: new Date(exposure.at).toISOString(),
  };
}

function pageView(page: ExposurePage): Record<string, unknown> {
  return {
    exposures: page.exposures.map(exposureView),
    ...(page.nextBefore === undefined ? {} : { next_before: page.nextBefore }),
  };
}

/**
 * The exposure log through the admin API: what decide showed to a profile, and what one
 * placement showed, newest first and paged. Both need an admin key and see only its workspace.
 */
export async function exposureRoutes(
  app: FastifyInstance,
  options: { engine: Engine; keys: KeyRing },
): Promise<void> {
  const { engine, keys } = options;
  const security = [{ adminKey: [] }];

  app.get(
    '/v1/profiles/:ref/exposures',
    {
      schema: {
        tags: ['decide'],
        summary: 'What decide showed a profile (placement and variant), newest first',
        description:
          'Includes what was shown under an id merged into the profile, and what was shown to its ' +
          'user or anonymous id before the profile existed (once the view holding that id is committed).',
        security,
        params: ProfileRefParams,
        querystring: PageQuery,
        response: { 200: PageSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const { ref } = request.params as { ref: string };
      const profile = await engine.reads.findProfile(workspaceId, ref);
      if (profile === undefined) throw new TailorError('PROFILE_NOT_FOUND', `No profile matches \`${ref}\``);
      const query = request.query as { limit?: number; before?: number };
      const page = await engine.reads.exposuresByProfile({
        workspaceId,
        profileId: profile.id,
        limit: query.limit ?? 50,
        ...(query.before === undefined ? {} : { before: query.before }),
      });
      return pageView(page);
    },
  );

  app.get(
    '/v1/placements/:key/exposures',
    {
      schema: {
        tags: ['decide'],
        summary: 'What one placement showed, to whom, newest first',
        security,
        params: Type.Object({ key: Type.String({ description: 'The placement key' }) }),
        querystring: PageQuery,
        response: { 200: PageSchema },
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const { key } = request.params as { key: string };
      const query = request.query as { limit?: number; before?: number };
      const page = await engine.reads.exposuresByPlacement({
        workspaceId,
        placement: key,
        limit: query.limit ?? 50,
        ...(query.before === undefined ? {} : { before: query.before }),
      });
      return pageView(page);
    },
  );
}
