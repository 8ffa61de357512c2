import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Engine } from '../../engine/engine.ts';
import { TailorError } from '../../errors.ts';
import { endedOutcomes, JourneyTally } from '../../journey/journey-counts.ts';
import { journeyOfRun } from '../../journey/step-journeys.ts';
import { adminWorkspace } from '../admin-auth.ts';
import type { KeyRing } from '../key-ring.ts';
import { ErrorSchema, ProfileRefParams } from '../schemas.ts';

const StepCountsSchema = Type.Object({
  key: Type.String(),
  type: Type.String(),
  entered: Type.Integer({
    description: 'Runs that reached the step (a wait counts when it starts, an action held by a pause too)',
  }),
  waiting: Type.Integer({ description: 'Runs at the step now (waiting, or held by a pause)' }),
  sent: Type.Integer({ description: "Messages the step's decisions sent" }),
  ended: Type.Record(Type.String(), Type.Integer(), {
    description: 'Runs that ended at the step, by outcome (converted while waiting here, exited here…)',
  }),
});

const CountsSchema = Type.Object({
  key: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  paused: Type.Boolean(),
  entered: Type.Integer({ description: 'Runs started, re-entries included' }),
  active: Type.Integer({ description: 'Runs in progress' }),
  ended: Type.Record(Type.String(), Type.Integer(), {
    description: 'Runs ended, by outcome: completed, converted, exited, timed_out',
  }),
  steps: Type.Array(StepCountsSchema),
});

const JourneyParams = Type.Object({ key: Type.String() });

/**
 * The journeys through the admin API: each journey with its counts (runs started, in progress
 * and ended by outcome; per step, runs that reached it, runs at it now and messages it sent),
 * pausing and resuming, and a person's runs with the path they took. Counts walk every profile
 * (the stored view, overlaid by what changed in memory), so they cost a scan, but no commit and no
 * wait for the writer: an admin read, not a hot path.
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
        summary:
          'Journeys with their counts: runs started, in progress and ended; per step, reached, waiting, sent and ended',
        security,
        response: { 200: Type.Object({ journeys: Type.Array(CountsSchema) }) },
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const workspace = engine.workspace(workspaceId);
      if (workspace === undefined) throw new TailorError('NOT_FOUND');
      const defs = workspace.definition.journeys ?? [];
      const tally = new JourneyTally({
        defs,
        paused: new Set(defs.map((def) => def.key).filter((key) => engine.journeyPaused(workspaceId, key))),
        stepOf: (key, run) => engine.journeySteps(workspaceId, key, run.version)[run.step]?.key,
      });
      // Every profile as it stands, stored or changed since the last commit: no commit, no writer.
      await engine.reads.forEachProfile(workspaceId, (profile) => {
        if (profile.journeys !== undefined) tally.add(profile.journeys);
      });
      tally.addSends(await engine.outbox.sendCountsByTrigger(workspaceId, 'journey:'));
      return { journeys: tally.result() };
    },
  );

  for (const action of ['pause', 'resume'] as const)
    app.post(
      `/v1/journeys/:key/${action}`,
      {
        schema: {
          tags: ['journeys'],
          summary:
            action === 'pause'
              ? 'Pauses a journey: no new runs, and runs hold before their next action'
              : 'Resumes a paused journey: held runs go on at once, and new runs may start',
          security,
          params: JourneyParams,
          response: {
            200: Type.Object({ key: Type.String(), paused: Type.Boolean(), changed: Type.Boolean() }),
            404: ErrorSchema,
          },
        },
      },
      async (request) => {
        const workspaceId = await adminWorkspace(request, keys, engine.clock());
        const { key } = request.params as { key: string };
        const changed = await engine.setJourneyPaused(workspaceId, key, action === 'pause');
        return { key, paused: action === 'pause', changed };
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
      const profile = await engine.reads.findProfile(workspaceId, ref);
      if (profile === undefined) throw new TailorError('PROFILE_NOT_FOUND', `No profile matches \`${ref}\``);
      const state = profile.journeys ?? { active: {}, history: {} };
      return {
        profile_id: profile.id,
        active: Object.entries(state.active).map(([key, run]) => ({
          journey: journeyOfRun(key),
          version: run.version,
          step: engine.journeySteps(workspaceId, journeyOfRun(key), run.version)[run.step]?.key ?? null,
          held: run.held === true,
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
          outcomes: endedOutcomes(history),
        })),
      };
    },
  );
}
