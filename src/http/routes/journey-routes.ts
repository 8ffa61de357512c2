import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Engine } from '../../engine/engine.ts';
import { TailorError } from '../../errors.ts';
import type { JourneyState } from '../../journey/journey-state.ts';
import { adminWorkspace } from '../admin-auth.ts';
import type { KeyRing } from '../key-ring.ts';
import { ErrorSchema, ProfileRefParams } from '../schemas.ts';

/** Counts of one journey over every profile of the workspace. */
interface JourneyCounts {
  /** Runs started, over all time (re-entries count again). */
  entered: number;
  /** Runs in progress, by the step they are at. */
  active: Record<string, number>;
  /** How the latest run of each person who left ended: completed, converted, exited, timed_out. */
  ended: Record<string, number>;
}

const CountsSchema = Type.Object({
  key: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  steps: Type.Array(Type.String()),
  entered: Type.Integer(),
  active: Type.Record(Type.String(), Type.Integer(), {
    description: 'Runs in progress, by the step they are at',
  }),
  ended: Type.Record(Type.String(), Type.Integer(), {
    description: 'Latest run outcome per person who left: completed, converted, exited, timed_out',
  }),
});

/**
 * The journeys through the admin API: each journey with its counts (runs started, runs in
 * progress by step, outcomes), and a person's runs with the path they took. Counts walk the
 * stored profiles, so they cost a scan: an admin read, not a hot path.
 */
export async function journeyRoutes(
  app: FastifyInstance,
  options: { engine: Engine; keys: KeyRing },
): Promise<void> {
  const { engine, keys } = options;
  const security = [{ adminKey: [] }];

  app.get(
    '/v1/journeys',
    {
      schema: {
        tags: ['journeys'],
        summary: 'Journeys with their counts: runs started, in progress by step, and outcomes',
        security,
        response: { 200: Type.Object({ journeys: Type.Array(CountsSchema) }) },
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const workspace = engine.workspace(workspaceId);
      if (workspace === undefined) throw new TailorError('NOT_FOUND');
      const defs = workspace.definition.journeys ?? [];
      const counts = new Map<string, JourneyCounts>(
        defs.map((def) => [def.key, { entered: 0, active: {}, ended: {} }]),
      );
      await engine.commit();
      for (let after: string | undefined; ; ) {
        const page = await engine.store.scanProfiles({
          workspaceId,
          limit: 1_000,
          ...(after ? { after } : {}),
        });
        for (const profile of page) if (profile.journeys !== undefined) count(profile.journeys, counts, defs);
        after = page.at(-1)?.id;
        if (page.length < 1_000) break;
      }
      return {
        journeys: defs.map((def) => ({
          key: def.key,
          name: def.name ?? null,
          steps: def.steps.map((step) => step.key),
          ...(counts.get(def.key) ?? { entered: 0, active: {}, ended: {} }),
        })),
      };
    },
  );

  app.get(
    '/v1/profiles/:ref/journeys',
    {
      schema: {
        tags: ['journeys'],
        summary: "A person's journey runs: in progress (step, wait, path) and history",
        security,
        params: ProfileRefParams,
        response: { 404: ErrorSchema },
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const { ref } = request.params as { ref: string };
      const profile = await engine.findProfile(workspaceId, ref);
      if (profile === undefined) throw new TailorError('PROFILE_NOT_FOUND', `No profile matches \`${ref}\``);
      const defs = new Map(
        (engine.workspace(workspaceId)?.definition.journeys ?? []).map((def) => [def.key, def]),
      );
      const state = profile.journeys ?? { active: {}, history: {} };
      return {
        profile_id: profile.id,
        active: Object.entries(state.active).map(([key, run]) => ({
          journey: key,
          step: defs.get(key)?.steps[run.step]?.key ?? null,
          entered_at: new Date(run.enteredAt).toISOString(),
          waiting_until: run.until === undefined ? null : new Date(run.until).toISOString(),
          waiting_for: run.waitingFor ?? null,
          path: run.path,
        })),
        history: Object.entries(state.history).map(([key, history]) => ({
          journey: key,
          entries: history.entries,
          last_entered_at: new Date(history.lastEnteredAt).toISOString(),
          last_outcome: history.lastOutcome ?? null,
        })),
      };
    },
  );
}

function count(
  state: JourneyState,
  counts: Map<string, JourneyCounts>,
  defs: readonly { key: string; steps: readonly { key: string }[] }[],
): void {
  for (const def of defs) {
    const tally = counts.get(def.key);
    if (tally === undefined) continue;
    const history = state.history[def.key];
    if (history !== undefined) tally.entered += history.entries;
    const run = state.active[def.key];
    if (run !== undefined) {
      const step = def.steps[run.step]?.key ?? 'unknown';
      tally.active[step] = (tally.active[step] ?? 0) + 1;
    } else if (history?.lastOutcome !== undefined) {
      tally.ended[history.lastOutcome] = (tally.ended[history.lastOutcome] ?? 0) + 1;
    }
  }
}
