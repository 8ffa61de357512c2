import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { armsReport, holdoutReport } from '../../decide/learn/experiment-report.ts';
import type { Engine } from '../../engine/engine.ts';
import { TailorError } from '../../errors.ts';
import { adminWorkspace } from '../admin-auth.ts';
import type { KeyRing } from '../key-ring.ts';
import { ErrorSchema } from '../schemas.ts';

const Interval = Type.Tuple([Type.Number(), Type.Number()]);

const LiftSchema = Type.Object({
  rate: Type.Number(),
  controlRate: Type.Number(),
  difference: Type.Number({ description: 'Absolute lift: rate − control rate' }),
  differenceInterval: Interval,
  relative: Type.Union([Type.Number(), Type.Null()], { description: 'Difference over the control rate' }),
  relativeInterval: Type.Union([Interval, Type.Null()]),
});

const CountsSchema = {
  decisions: Type.Integer(),
  conversions: Type.Integer(),
  rate: Type.Number(),
};

const ReportSchema = Type.Object({
  key: Type.String(),
  description: Type.String(),
  method: Type.String({ description: 'How the 95% intervals are computed' }),
  arms: Type.Array(
    Type.Object({
      arm: Type.String(),
      control: Type.Boolean(),
      exposures: Type.Integer({ description: 'Decisions in the arm (over a placement: placements shown)' }),
      conversions: Type.Integer({ description: 'Of those, decisions a goal was credited to' }),
      rate: Type.Number(),
      value: Type.Number({ description: "Sum of the credited goals' values" }),
      lift: Type.Optional(LiftSchema),
    }),
  ),
  actions: Type.Optional(
    Type.Array(
      Type.Object({
        action: Type.String(),
        ...CountsSchema,
        bins: Type.Array(Type.Object({ bin: Type.String(), ...CountsSchema })),
      }),
    ),
  ),
});

/**
 * Experiments through the admin API: `GET /v1/experiments/{key}` reports an experiment's arms
 * with each one's lift against the control and its 95% interval; `holdout` compares next best
 * action with the workspace's holdout group the same way, and lists what each learner (an
 * action, or a placement's variant as `placement/variant`) learned. Counts are held in memory (see `LearningState`): the answer costs no I/O.
 */
export async function experimentRoutes(
  app: FastifyInstance,
  options: { engine: Engine; keys: KeyRing },
): Promise<void> {
  const { engine, keys } = options;
  app.get(
    '/v1/experiments/:key',
    {
      schema: {
        tags: ['decide'],
        summary: 'An experiment: exposures, conversions, rate and lift against control with a 95% interval',
        security: [{ adminKey: [] }],
        params: Type.Object({
          key: Type.String({
            description: 'An experiment of the workspace, or `holdout`: next best action against the holdout',
          }),
        }),
        response: { 200: ReportSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const { key } = request.params as { key: string };
      const workspace = engine.workspace(workspaceId);
      const state = engine.learning.state(workspaceId);
      const experiment = workspace?.decisions.experiments.find((entry) => entry.key === key);
      if (experiment !== undefined) return armsReport(state, experiment);
      if (key !== 'holdout' || workspace?.decisions.holdout === undefined)
        throw new TailorError('EXPERIMENT_NOT_FOUND', `No experiment \`${key}\` in this workspace`);
      return holdoutReport(state, [...workspace.decisions.learners.keys()]);
    },
  );
}
