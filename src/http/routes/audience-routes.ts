import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { OUTDATED_REASON } from '../../activate/ads/ads-refusal.ts';
import { AUDIENCE_TRIGGER, audienceDestinations, audienceTrigger } from '../../activate/ads/ads-sends.ts';
import { type MatchReport, reportsMatches } from '../../activate/ads/match-report.ts';
import type { Activation } from '../../dispatch/activation.ts';
import type { Engine } from '../../engine/engine.ts';
import { TailorError } from '../../errors.ts';
import { adminWorkspace } from '../admin-auth.ts';
import type { KeyRing } from '../key-ring.ts';

const DestinationSchema = Type.Object({
  channel: Type.String({ description: 'meta_audiences or google_customer_match' }),
  segment: Type.String({ description: 'The segment the list mirrors' }),
  list: Type.String({
    description: "The platform's list: a Custom Audience id, a user list's resource name",
  }),
  synced: Type.Integer({ description: 'Member changes (adds and removes) the platform took' }),
  pending: Type.Integer({ description: 'Member changes waiting for their turn or a retry' }),
  failed: Type.Integer({
    description: 'Member changes refused for good, given up on, or dropped for want of advertising consent',
  }),
  outdated: Type.Integer({
    description:
      "Member changes dropped just before the call because the person's later change superseded them (not failures)",
  }),
  match: Type.Union([
    Type.Object({
      approximate_count: Type.Optional(
        Type.Object(
          { lower: Type.Integer(), upper: Type.Integer() },
          { description: "Meta: the audience's approximate size" },
        ),
      ),
      match_rate_range: Type.Optional(
        Type.String({ description: "Google: the latest job's match rate range, like MATCH_RANGE_50_TO_60" }),
      ),
    }),
    Type.Null(),
  ]),
});

/**
 * The audience destinations through the admin API: for each segment an ads channel mirrors, the
 * member changes synced, pending and failed (the outbox's counts of its sends) and what the
 * platform reports of its matches, asked of the platform on each read (at most 5 s; null when it
 * has no report or could not be asked).
 */
export async function audienceRoutes(
  app: FastifyInstance,
  options: { engine: Engine; activation: Activation; keys: KeyRing },
): Promise<void> {
  const { engine, activation, keys } = options;
  app.get(
    '/v1/audiences',
    {
      schema: {
        tags: ['audiences'],
        summary:
          'Audience destinations: member changes synced, pending and failed, and the match the platform reports',
        security: [{ adminKey: [] }],
        response: { 200: Type.Object({ destinations: Type.Array(DestinationSchema) }) },
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const workspace = engine.workspace(workspaceId);
      if (workspace === undefined) throw new TailorError('NOT_FOUND');
      const counts = await engine.outbox.sendCountsByTrigger(workspaceId, AUDIENCE_TRIGGER);
      const outdated = await engine.outbox.failedCountsByReason({
        workspaceId,
        prefix: AUDIENCE_TRIGGER,
        reason: OUTDATED_REASON,
      });
      const destinations = audienceDestinations(workspace.definition.channels ?? {});
      return {
        destinations: await Promise.all(
          destinations.map(async ({ channel, segment, list }) => {
            const trigger = audienceTrigger({ channel, segment });
            const tally = { synced: 0, pending: 0, failed: 0, outdated: 0 };
            for (const count of counts) {
              if (count.trigger !== trigger) continue;
              if (count.status === 'sent') tally.synced += count.count;
              else if (count.status === 'pending' || count.status === 'sending') tally.pending += count.count;
              else tally.failed += count.count;
            }
            tally.outdated = outdated.find((count) => count.trigger === trigger)?.count ?? 0;
            tally.failed -= tally.outdated;
            const adapter = activation.adapter(workspaceId, channel);
            const report =
              adapter !== undefined && reportsMatches(adapter) ? await adapter.matchReport(list) : undefined;
            return {
              channel,
              segment,
              list,
              ...tally,
              match: report === undefined ? null : matchView(report),
            };
          }),
        ),
      };
    },
  );
}

const ReconciledSchema = Type.Object({
  channel: Type.String({ description: 'meta_audiences or google_customer_match' }),
  segment: Type.String(),
  list: Type.String(),
  adds: Type.Integer({
    description: 'Members the platform was not told to add (or, with full, every member), queued as adds',
  }),
  removes: Type.Integer({
    description: 'People the platform holds who are no longer members with consent, queued as removes',
  }),
});

/**
 * The reconciliation of a segment's destinations on demand (it also runs every `reconcile_every`):
 * what each platform should hold is compared with what it was told, and the repairs are queued in
 * the outbox, sent as any change is. Answers when they are queued, with their numbers.
 */
export async function audienceReconcileRoutes(
  app: FastifyInstance,
  options: { engine: Engine; activation: Activation; keys: KeyRing },
): Promise<void> {
  const { engine, activation, keys } = options;
  app.post(
    '/v1/audiences/:segment/reconcile',
    {
      schema: {
        tags: ['audiences'],
        summary:
          "Reconcile a segment's audience destinations now: queue the adds and removes that repair drift",
        security: [{ adminKey: [] }],
        params: Type.Object({ segment: Type.String({ description: 'The segment key' }) }),
        querystring: Type.Object({
          full: Type.Optional(
            Type.Boolean({
              description:
                'Re-send every member, not only those the platform was not told of: for a platform that lost members',
            }),
          ),
        }),
        response: { 200: Type.Object({ destinations: Type.Array(ReconciledSchema) }) },
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const { segment } = request.params as { segment: string };
      const { full } = request.query as { full?: boolean };
      const destinations = await activation.audiences.reconcile({
        workspaceId,
        segment,
        full: full === true,
      });
      if (destinations.length === 0) throw new TailorError('AUDIENCE_NOT_FOUND');
      return { destinations };
    },
  );
}

function matchView(report: MatchReport) {
  return {
    ...(report.approximateCount === undefined ? {} : { approximate_count: report.approximateCount }),
    ...(report.matchRateRange === undefined ? {} : { match_rate_range: report.matchRateRange }),
  };
}
