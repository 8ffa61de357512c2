import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Engine } from '../../engine/engine.ts';
import { segmentSeries, seriesStart } from '../../engine/segment-series.ts';
import { TailorError } from '../../errors.ts';
import { isJsonObject } from '../../ingest/merge-objects.ts';
import { SEGMENT_ENTERED } from '../../ingest/reserved-events.ts';
import { DAY_MS, HOUR_MS } from '../../time/hour-of.ts';
import { conditionCheck } from '../../workspace/validate-segment.ts';
import { adminGrant, adminWorkspace } from '../admin-auth.ts';
import type { KeyRing } from '../key-ring.ts';
import { ErrorSchema, ProfileRefParams } from '../schemas.ts';
import { SegmentEditor } from '../segment-editor.ts';
import {
  checkedByHandler,
  DeletedSchema,
  HistoryQuery,
  HistorySchema,
  MembersQuery,
  MembersSchema,
  PreviewBodySchema,
  PreviewSchema,
  ProfileSegmentsSchema,
  SaveSegmentSchema,
  SegmentDetailSchema,
  SegmentKeyParams,
  SegmentListSchema,
  SegmentSizeSchema,
  WaitQuery,
} from '../segment-schemas.ts';
import {
  iso,
  issueDetails,
  profileSegments,
  type SegmentView,
  segmentView,
  waitRequested,
} from '../segment-view.ts';
import type { StartedApply } from '../start-apply.ts';

/**
 * The admin segments API: list, read, create, replace and delete the workspace's segments
 * (each change saved in the workspace definition and back-filled by replaying the workspace's
 * events), their members and sizes, previews of draft conditions, and a profile's segments.
 */
export async function segmentRoutes(
  app: FastifyInstance,
  options: { engine: Engine; keys: KeyRing },
): Promise<void> {
  const { engine, keys } = options;
  const security = [{ adminKey: [] }];
  const tags = ['segments'];
  const editor = new SegmentEditor(engine, app.log);

  /** Answers a saved segment: 202 at once, or 200 with its size after the back-fill (`?wait=true`). */
  async function answerSaved(
    request: FastifyRequest,
    reply: FastifyReply,
    workspaceId: string,
    saved: { key: string; started: StartedApply },
  ): Promise<FastifyReply> {
    const { key, started } = saved;
    if (!waitRequested(request.query)) {
      const backfill = { status: 'running', ...started.progress };
      return reply.status(202).send({ key, version: started.version, backfill });
    }
    await started.finished;
    const size = await engine.reads.segmentSize(workspaceId, key);
    return reply.status(200).send({ key, version: started.version, size });
  }

  app.get(
    '/v1/segments',
    {
      schema: {
        tags,
        summary: 'The segments of the workspace, in definition order, with their sizes',
        security,
        response: { 200: SegmentListSchema },
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const segments: SegmentView[] = [];
      for (const segment of editor.definition(workspaceId).segments ?? []) {
        segments.push(segmentView(segment, await editor.size(workspaceId, segment.key)));
      }
      return { segments };
    },
  );

  app.post(
    '/v1/segments',
    {
      schema: { tags, summary: 'Create a segment and back-fill it', ...SaveSegmentSchema },
      validatorCompiler: checkedByHandler,
    },
    async (request, reply) => {
      const by = await adminGrant(request, keys, engine.clock());
      const { workspaceId } = by;
      const saved = await editor.saveSegment(by, (definition) => {
        const key = isJsonObject(request.body) ? request.body.key : undefined;
        if (definition.segments?.some((segment) => segment.key === key)) {
          throw new TailorError('SEGMENT_EXISTS', `A segment has the key \`${String(key)}\` already`, [
            { path: 'key', message: 'use PUT /v1/segments/{key} to replace it, or another key' },
          ]);
        }
        return request.body;
      });
      return answerSaved(request, reply, workspaceId, saved);
    },
  );

  app.post(
    '/v1/segments/preview',
    {
      schema: {
        tags,
        summary: 'Count the profiles a draft condition matches now, without saving it',
        security,
        body: PreviewBodySchema,
        response: { 200: PreviewSchema, 400: ErrorSchema },
      },
      validatorCompiler: checkedByHandler,
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const when = isJsonObject(request.body) ? request.body.when : undefined;
      const issues = conditionCheck(editor.definition(workspaceId), when);
      if (issues.length > 0) throw new TailorError('INVALID_CONDITION', undefined, issueDetails(issues));
      return engine.previewSegment(workspaceId, when);
    },
  );

  app.get(
    '/v1/segments/:key',
    {
      schema: {
        tags,
        summary: 'A segment, its size, and the back-fill while one runs',
        security,
        params: SegmentKeyParams,
        response: { 200: SegmentDetailSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const { key } = request.params as { key: string };
      const segment = editor.segment(workspaceId, key);
      const size = await editor.size(workspaceId, key);
      const progress = engine.rebuildProgress(workspaceId);
      const backfill = progress === undefined ? null : { status: 'running', ...progress };
      return { ...segmentView(segment, size), backfill };
    },
  );

  app.put(
    '/v1/segments/:key',
    {
      schema: {
        tags,
        summary: 'Create or replace a segment and back-fill it',
        params: SegmentKeyParams,
        ...SaveSegmentSchema,
      },
      validatorCompiler: checkedByHandler,
    },
    async (request, reply) => {
      const by = await adminGrant(request, keys, engine.clock());
      const { workspaceId } = by;
      const { key } = request.params as { key: string };
      const saved = await editor.saveSegment(by, () => {
        const { body } = request;
        if (!isJsonObject(body) || body.key === undefined)
          return isJsonObject(body) ? { ...body, key } : body;
        if (body.key !== key) {
          throw new TailorError('INVALID_SEGMENT', 'The body `key` differs from the key in the path', [
            { path: 'key', message: `must be \`${key}\` (the path's key) or left out` },
          ]);
        }
        return body;
      });
      return answerSaved(request, reply, workspaceId, saved);
    },
  );

  app.delete(
    '/v1/segments/:key',
    {
      schema: {
        tags,
        summary: 'Delete a segment',
        description:
          'Refused while another segment tests it with `$inSegment`/`$notInSegment`. Answers 204 once the ' +
          'definition is saved; `?wait=true` also waits for the profiles to be rebuilt without it.',
        security,
        params: SegmentKeyParams,
        querystring: WaitQuery,
        response: { 204: DeletedSchema, 404: ErrorSchema, 409: ErrorSchema },
      },
    },
    async (request, reply) => {
      const by = await adminGrant(request, keys, engine.clock());
      const { key } = request.params as { key: string };
      const started = await editor.removeSegment(by, key);
      if (waitRequested(request.query)) await started.finished;
      return reply.status(204).send();
    },
  );

  app.get(
    '/v1/segments/:key/members',
    {
      schema: {
        tags,
        summary: "A page of a segment's members, by profile id, with when each entered",
        security,
        params: SegmentKeyParams,
        querystring: MembersQuery,
        response: { 200: MembersSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const { key } = request.params as { key: string };
      const { limit, after } = request.query as { limit?: number; after?: string };
      editor.segment(workspaceId, key);
      const page = await editor.members(workspaceId, key, {
        limit: limit ?? 100,
        ...(after === undefined ? {} : { after }),
      });
      return {
        members: page.members.map((m) => ({ profile_id: m.profileId, entered_at: iso(m.enteredAt) })),
        next_after: page.nextAfter ?? null,
      };
    },
  );

  app.get(
    '/v1/segments/:key/history',
    {
      schema: {
        tags,
        summary: "A segment's size over time (by hour or day), and its latest entries and exits",
        description:
          'Sizes are worked back from the size now through the entries and exits counted by hour with each view ' +
          'commit (no scan of the log); the latest entries and exits are the derived `Segment Entered` and ' +
          '`Segment Exited` events, newest first.',
        security,
        params: SegmentKeyParams,
        querystring: HistoryQuery,
        response: { 200: HistorySchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const { key } = request.params as { key: string };
      const query = request.query as { bucket?: 'hour' | 'day'; points?: number; changes?: number };
      editor.segment(workspaceId, key);
      const bucket = query.bucket ?? 'hour';
      const bucketMs = bucket === 'hour' ? HOUR_MS : DAY_MS;
      const shape = { now: engine.clock(), bucketMs, points: query.points ?? (bucket === 'hour' ? 48 : 30) };
      const history = await editor.history(workspaceId, key, {
        from: seriesStart(shape),
        limit: query.changes ?? 20,
      });
      return {
        key,
        size: history.size,
        bucket,
        points: segmentSeries({ ...shape, size: history.size, hours: history.hours }).map((point) => ({
          ...point,
          at: iso(point.at),
        })),
        changes: history.moves.map(({ profileId, event }) => ({
          profile_id: profileId,
          user_id: event.userId ?? null,
          change: event.event === SEGMENT_ENTERED ? 'entered' : 'exited',
          at: iso(event.timestamp),
        })),
      };
    },
  );

  app.get(
    '/v1/segments/:key/size',
    {
      schema: {
        tags,
        summary: 'How many profiles are in a segment',
        security,
        params: SegmentKeyParams,
        response: { 200: SegmentSizeSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const { key } = request.params as { key: string };
      editor.segment(workspaceId, key);
      return { key, size: await editor.size(workspaceId, key) };
    },
  );

  app.get(
    '/v1/profiles/:ref/segments',
    {
      schema: {
        tags,
        summary: 'The segments a profile is in, with when it entered each',
        security,
        params: ProfileRefParams,
        response: { 200: ProfileSegmentsSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const { ref } = request.params as { ref: string };
      const profile = await engine.reads.findProfile(workspaceId, ref);
      if (profile === undefined) throw new TailorError('PROFILE_NOT_FOUND', `No profile matches \`${ref}\``);
      return profileSegments(profile, editor.definition(workspaceId));
    },
  );
}
