import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import { parse } from 'yaml';
import { TailorError } from '../errors.ts';
import { parseDuration } from '../time/duration.ts';

/** A categorical draw: value → share (shares need not add up to 1: they are normalised). */
const SharesSchema = Type.Record(Type.String(), Type.Number({ minimum: 0 }), { minProperties: 1 });

/** One rule of the hidden response: when the situation matches, the goal's probability per action. */
const ResponseSchema = Type.Object(
  {
    when: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), {
        description: 'Situation paths (traits.plan, context.device.type) and the value each must equal',
      }),
    ),
    /** Probability of the goal with each action, and with no action (`none`). */
    p: Type.Record(Type.String(), Type.Number({ minimum: 0, maximum: 1 })),
  },
  { additionalProperties: false },
);

/** The shape of a scenario file for `tailor simulate`. */
export const ScenarioSchema = Type.Object(
  {
    workspace: Type.String({ minLength: 1, description: 'The workspace file, relative to the scenario' }),
    seed: Type.Optional(Type.Integer()),
    people: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    decisions: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
    evaluate: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
    days: Type.Number({ exclusiveMinimum: 0, maximum: 3650 }),
    start: Type.Optional(Type.String()),
    goal: Type.String({ minLength: 1 }),
    placement: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'A placement of the workspace to decide instead of the next best action: each decision shows one of its variants',
      }),
    ),
    delay: Type.String({ description: 'Longest time from a decision to its goal event, like 6h' }),
    traits: Type.Optional(Type.Record(Type.String(), SharesSchema)),
    context: Type.Optional(Type.Record(Type.String(), SharesSchema)),
    consent: Type.Optional(Type.Record(Type.String(), Type.Number({ minimum: 0, maximum: 1 }))),
    respond: Type.Array(ResponseSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

type ScenarioFile = Static<typeof ScenarioSchema>;

/** A scenario ready to run: the file's fields with defaults, durations in ms, the workspace path resolved. */
export interface Scenario {
  workspacePath: string;
  seed: number;
  people: number;
  /** Decisions to learn from before the evaluation window. */
  decisions: number;
  /** Decisions after `decisions` over which the policies are compared. */
  evaluate: number;
  durationMs: number;
  start: number;
  goal: string;
  /** Decide this placement (its variants are the options) instead of the next best action. */
  placement?: string;
  delayMs: number;
  traits: Record<string, Record<string, number>>;
  context: Record<string, Record<string, number>>;
  consent: Record<string, number>;
  respond: { when: Record<string, string | number | boolean>; p: Record<string, number> }[];
}

const DAY = 86_400_000;

/** Reads and checks a scenario file; INVALID_SCENARIO lists every problem with its path. */
export async function readScenario(path: string): Promise<Scenario> {
  let value: unknown;
  try {
    value = parse(await readFile(path, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TailorError('INVALID_SCENARIO', `Cannot read the scenario ${path}: ${reason}`);
  }
  return toScenario(value, dirname(resolve(path)));
}

/** Checks a parsed scenario document; relative workspace paths are taken from `base`. */
export function toScenario(value: unknown, base: string): Scenario {
  if (!Value.Check(ScenarioSchema, value)) {
    const details = [...Value.Errors(ScenarioSchema, value)].map((error) => ({
      path: error.instancePath === '' ? '/' : error.instancePath,
      message: error.message,
    }));
    throw new TailorError(
      'INVALID_SCENARIO',
      `Invalid scenario: ${details[0]?.path} ${details[0]?.message}`,
      details,
    );
  }
  const file: ScenarioFile = value;
  const delayMs = durationOrZero(file.delay);
  if (!(delayMs > 0))
    throw new TailorError('INVALID_SCENARIO', 'Invalid scenario: delay must be a duration like 6h', [
      { path: '/delay', message: 'must be a duration like 6h' },
    ]);
  const start = file.start === undefined ? Date.parse('2026-01-05T00:00:00Z') : Date.parse(file.start);
  if (!Number.isFinite(start))
    throw new TailorError('INVALID_SCENARIO', 'Invalid scenario: start must be an ISO date', [
      { path: '/start', message: 'must be an ISO date like 2026-01-05T00:00:00Z' },
    ]);
  return {
    workspacePath: resolve(base, file.workspace),
    seed: file.seed ?? 1,
    people: file.people,
    decisions: file.decisions,
    evaluate: file.evaluate ?? Math.max(1, Math.round(file.decisions / 10)),
    durationMs: file.days * DAY,
    start,
    goal: file.goal,
    ...(file.placement === undefined ? {} : { placement: file.placement }),
    delayMs,
    traits: file.traits ?? {},
    context: file.context ?? {},
    consent: file.consent ?? {},
    respond: file.respond.map((rule) => ({ when: rule.when ?? {}, p: rule.p })),
  };
}

function durationOrZero(text: string): number {
  try {
    return parseDuration(text);
  } catch {
    return 0;
  }
}
