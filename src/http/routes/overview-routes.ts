import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Engine } from '../../engine/engine.ts';
import { TailorError } from '../../errors.ts';
import { adminWorkspace } from '../admin-auth.ts';
import type { KeyRing } from '../key-ring.ts';
import type { LiveEvents } from '../live-events.ts';
import { SegmentEditor } from '../segment-editor.ts';

/** Every status a send can have, so the overview shows zeros too. */
const SEND_STATUSES = ['pending', 'sending', 'sent', 'failed', 'dead'] as const;

const Counts = Type.Record(Type.String(), Type.Integer());

const OverviewSchema = Type.Object({
  workspace: Type.String(),
  version: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  events: Type.Object({
    per_second: Type.Number({ description: 'Events accepted per second, averaged over the last 10 s' }),
    last_minute: Type.Array(Type.Number(), { description: 'Events accepted in each of the last 60 seconds' }),
  }),
  profiles: Type.Integer({ description: 'Profiles as of the last view commit (about a second behind)' }),
  segments: Type.Array(
    Type.Object({ key: Type.String(), name: Type.Union([Type.String(), Type.Null()]), size: Type.Integer() }),
  ),
  sends: Type.Object(
    { by_status: Counts, dead_letters: Type.Integer() },
    { description: 'Sends decisions asked for (triggered or by a journey step), by status' },
  ),
  timers: Type.Object({
    next_due: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    late_ms: Type.Integer({
      description: 'How far past the clock the earliest due timer is (0 when on time)',
    }),
  }),
  rebuild: Type.Union([Type.Object({ done: Type.Integer(), total: Type.Integer() }), Type.Null()]),
});

/**
 * What the console's overview shows, in one admin read: events per second, profiles, segments
 * with their sizes, sends by status and dead letters, timer lateness and rebuild progress.
 */
export async function overviewRoutes(
  app: FastifyInstance,
  options: { engine: Engine; keys: KeyRing; live: LiveEvents },
): Promise<void> {
  const { engine, keys, live } = options;
  const editor = new SegmentEditor(engine, app.log);

  app.get(
    '/v1/overview',
    {
      schema: {
        tags: ['console'],
        summary: 'The workspace at a glance: traffic, profiles, segments, sends, timers and rebuilds',
        security: [{ adminKey: [] }],
        response: { 200: OverviewSchema },
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const workspace = engine.workspace(workspaceId);
      if (workspace === undefined) throw new TailorError('NOT_FOUND');
      const now = engine.clock();
      const segments = [];
      for (const segment of workspace.definition.segments ?? [])
        segments.push({
          key: segment.key,
          name: segment.name ?? null,
          size: await editor.size(workspaceId, segment.key),
        });
      const byStatus: Record<string, number> = Object.fromEntries(SEND_STATUSES.map((status) => [status, 0]));
      for (const count of await engine.outbox.sendCountsByTrigger(workspaceId, ''))
        byStatus[count.status] = (byStatus[count.status] ?? 0) + count.count;
      const due = engine.nextDue(workspaceId);
      return {
        workspace: workspaceId,
        version: workspace.version,
        at: new Date(now).toISOString(),
        events: live.rate(workspaceId),
        profiles: await engine.storedView.countProfiles(workspaceId),
        segments,
        sends: { by_status: byStatus, dead_letters: byStatus.dead ?? 0 },
        timers: {
          next_due: due === undefined ? null : new Date(due).toISOString(),
          late_ms: due === undefined ? 0 : Math.max(0, now - due),
        },
        rebuild: engine.rebuildProgress(workspaceId) ?? null,
      };
    },
  );
}
