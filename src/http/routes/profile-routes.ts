import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Engine } from '../../engine/engine.ts';
import { TailorError } from '../../errors.ts';
import type { ProfileState } from '../../profile/profile.ts';
import { toProfileView } from '../../profile/profile-view.ts';
import { adminWorkspace } from '../admin-auth.ts';
import type { KeyRing } from '../key-ring.ts';
import { ErrorSchema, LoggedEventSchema, ProfileRefParams, ProfileSchema } from '../schemas.ts';

const TimelineQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
  before: Type.Optional(Type.Integer({ minimum: 1, description: '`next_before` of the previous page' })),
});

/**
 * The admin profile API: a profile by id or identifier, its timeline, its merge history,
 * export of everything held on the person, and erasure. Every route needs an admin key and
 * sees only that key's workspace.
 */
export async function profileRoutes(
  app: FastifyInstance,
  options: { engine: Engine; keys: KeyRing },
): Promise<void> {
  const { engine, keys } = options;
  const security = [{ adminKey: [] }];

  /** Authenticates, then finds the profile the `ref` path parameter names, or answers 404. */
  async function lookup(request: FastifyRequest): Promise<{ workspaceId: string; profile: ProfileState }> {
    const workspaceId = await adminWorkspace(request, keys, engine.clock());
    const { ref } = request.params as { ref: string };
    const profile = await engine.reads.findProfile(workspaceId, ref);
    if (profile === undefined) throw new TailorError('PROFILE_NOT_FOUND', `No profile matches \`${ref}\``);
    return { workspaceId, profile };
  }

  app.get(
    '/v1/profiles/:ref',
    {
      schema: {
        tags: ['profiles'],
        summary: 'Get a unified profile',
        security,
        params: ProfileRefParams,
        response: { 200: ProfileSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const { workspaceId, profile } = await lookup(request);
      const compiled = engine.workspace(workspaceId);
      if (compiled === undefined) throw new TailorError('NOT_FOUND');
      return toProfileView({
        profile,
        compiled: compiled.computed,
        scores: compiled.scores,
        lifecycle: compiled.lifecycle,
        now: engine.clock(),
      });
    },
  );

  app.get(
    '/v1/profiles/:ref/events',
    {
      schema: {
        tags: ['profiles'],
        summary: "A profile's event timeline, newest first",
        security,
        params: ProfileRefParams,
        querystring: TimelineQuery,
        response: {
          200: Type.Object({
            events: Type.Array(LoggedEventSchema),
            next_before: Type.Optional(Type.Integer()),
          }),
        },
      },
    },
    async (request) => {
      const { workspaceId, profile } = await lookup(request);
      const query = request.query as { limit?: number; before?: number };
      const page = await engine.reads.timeline(workspaceId, profile.id, {
        limit: query.limit ?? 50,
        ...(query.before === undefined ? {} : { before: query.before }),
      });
      return {
        events: page.events,
        ...(page.nextBefore === undefined ? {} : { next_before: page.nextBefore }),
      };
    },
  );

  app.get(
    '/v1/profiles/:ref/merges',
    {
      schema: {
        tags: ['profiles'],
        summary: 'How a profile was formed: every merge with its provenance',
        security,
        params: ProfileRefParams,
      },
    },
    async (request) => {
      const { workspaceId, profile } = await lookup(request);
      const merges = await engine.reads.mergeHistory(workspaceId, profile.id);
      return {
        merges: merges.map((m) => ({
          into_id: m.intoId,
          from_id: m.fromId,
          message_id: m.messageId,
          seq: m.seq,
          identifiers: m.identifiers,
          at: new Date(m.at).toISOString(),
        })),
      };
    },
  );

  app.get(
    '/v1/profiles/:ref/export',
    {
      schema: {
        tags: ['profiles'],
        summary: 'Export everything held on a person (JSON)',
        security,
        params: ProfileRefParams,
      },
    },
    async (request, reply) => {
      const { workspaceId, profile } = await lookup(request);
      const exported = await engine.reads.exportProfile(workspaceId, profile.id);
      void reply.header('content-disposition', `attachment; filename="${profile.id}.json"`);
      return { exported_at: new Date(engine.clock()).toISOString(), ...exported };
    },
  );

  app.delete(
    '/v1/profiles/:ref',
    {
      schema: {
        tags: ['profiles'],
        summary: 'Erase a person: profile, identifiers and events (recorded in the audit log)',
        security,
        params: ProfileRefParams,
      },
    },
    async (request) => {
      const { workspaceId, profile } = await lookup(request);
      const result = await engine.erase(workspaceId, profile.id, engine.clock());
      return { erased: profile.id, events: result.events };
    },
  );
}
