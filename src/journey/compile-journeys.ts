import { type CompiledCondition, compileCondition } from '../conditions/compile-condition.ts';
import { parseClock } from '../decide/zoned-time.ts';
import { TailorError } from '../errors.ts';
import type { JourneyDef, JourneyStepDef } from './journey-def.ts';

/**
 * One step ready to run: the steps it names resolved to indexes (the step count itself means
 * "past the last step": the run completes), its condition compiled, its clock time parsed.
 */
export type CompiledStep =
  | { readonly type: 'wait'; readonly key: string; readonly durationMs: number }
  /** `minutes`: minutes after midnight of `time`. */
  | { readonly type: 'wait_until'; readonly key: string; readonly time: string; readonly minutes: number }
  /** `onTimeout`: the step index to go to on time-out; undefined ends the run `timed_out`. */
  | {
      readonly type: 'wait_for';
      readonly key: string;
      readonly event: string;
      readonly timeoutMs: number;
      readonly onTimeout: number | undefined;
    }
  /** `onTrue`/`onFalse`: the indexes of `then` and `else` (by default the next step). */
  | {
      readonly type: 'branch';
      readonly key: string;
      readonly when: CompiledCondition;
      readonly onTrue: number;
      readonly onFalse: number;
    }
  | { readonly type: 'decide'; readonly key: string }
  | { readonly type: 'send'; readonly key: string; readonly action: string }
  | { readonly type: 'update'; readonly key: string; readonly traits: Record<string, unknown> }
  | {
      readonly type: 'audience';
      readonly key: string;
      readonly destination: string;
      readonly op: 'add' | 'remove';
    }
  | { readonly type: 'exit'; readonly key: string };

/** A journey ready for the hot path. */
export interface CompiledJourney {
  readonly key: string;
  readonly def: JourneyDef;
  readonly steps: readonly CompiledStep[];
}

/**
 * A workspace's journeys compiled once per definition version, with the indexes that let an
 * event visit only the journeys it can start (by trigger). Goals and awaited events are read
 * from the person's runs in progress, each on the version it started on.
 */
export interface CompiledJourneys {
  /** No journeys at all. */
  readonly empty: boolean;
  readonly all: readonly CompiledJourney[];
  readonly byKey: ReadonlyMap<string, CompiledJourney>;
  /** By `trigger.event`. */
  readonly byEvent: ReadonlyMap<string, readonly CompiledJourney[]>;
  /** By `trigger.segmentEntered` (a segment key). */
  readonly bySegmentEntered: ReadonlyMap<string, readonly CompiledJourney[]>;
  /** By `trigger.segmentExited` (a segment key). */
  readonly bySegmentExited: ReadonlyMap<string, readonly CompiledJourney[]>;
  /** By `trigger.decision` (an action key). */
  readonly byDecision: ReadonlyMap<string, readonly CompiledJourney[]>;
}

/**
 * Compiles journey definitions: branch conditions compiled, clock times parsed, step keys
 * resolved to indexes, and the indexes built. Throws `TailorError('INVALID_WORKSPACE')` on a
 * duplicate journey or step key, an empty journey, a `then`/`else`/`onTimeout` naming no step,
 * an invalid `wait_until` time or branch condition (the workspace loader reports these with
 * file positions first).
 */
export function compileJourneys(defs: readonly JourneyDef[]): CompiledJourneys {
  const all: CompiledJourney[] = [];
  const byKey = new Map<string, CompiledJourney>();
  const byEvent = new Map<string, CompiledJourney[]>();
  const bySegmentEntered = new Map<string, CompiledJourney[]>();
  const bySegmentExited = new Map<string, CompiledJourney[]>();
  const byDecision = new Map<string, CompiledJourney[]>();
  for (const def of defs) {
    if (byKey.has(def.key)) invalid(`journeys.${def.key}`, `Two journeys have the key \`${def.key}\``);
    const journey: CompiledJourney = { key: def.key, def, steps: compileSteps(def) };
    all.push(journey);
    byKey.set(def.key, journey);
    const { trigger } = def;
    if (trigger.event !== undefined) addTo(byEvent, trigger.event, journey);
    if (trigger.segmentEntered !== undefined) addTo(bySegmentEntered, trigger.segmentEntered, journey);
    if (trigger.segmentExited !== undefined) addTo(bySegmentExited, trigger.segmentExited, journey);
    if (trigger.decision !== undefined) addTo(byDecision, trigger.decision, journey);
  }
  return {
    empty: all.length === 0,
    all,
    byKey,
    byEvent,
    bySegmentEntered,
    bySegmentExited,
    byDecision,
  };
}

function compileSteps(def: JourneyDef): CompiledStep[] {
  const where = `journeys.${def.key}.steps`;
  if (def.steps.length === 0) invalid(where, `The journey \`${def.key}\` has no steps`);
  const indexes = new Map<string, number>();
  def.steps.forEach((step, index) => {
    if (indexes.has(step.key))
      invalid(
        `${where}[${index}].key`,
        `The journey \`${def.key}\` has two steps with the key \`${step.key}\``,
      );
    indexes.set(step.key, index);
  });
  const resolve = (name: string, index: number, field: string): number => {
    const target = indexes.get(name);
    if (target === undefined)
      invalid(
        `${where}[${index}].${field}`,
        `The step \`${def.steps[index]?.key}\` of journey \`${def.key}\` goes to \`${name}\`, which is no step of it`,
      );
    return target;
  };
  return def.steps.map((step, index) => compileStep(step, index, resolve, `${where}[${index}]`));
}

function compileStep(
  step: JourneyStepDef,
  index: number,
  resolve: (name: string, index: number, field: string) => number,
  where: string,
): CompiledStep {
  switch (step.type) {
    case 'wait':
      return { type: 'wait', key: step.key, durationMs: step.durationMs };
    case 'wait_until': {
      const minutes = parseClock(step.time);
      if (minutes === undefined)
        invalid(`${where}.time`, `\`${step.time}\` is not a time of day: write HH:MM on a 24-hour clock`);
      return { type: 'wait_until', key: step.key, time: step.time, minutes };
    }
    case 'wait_for':
      return {
        type: 'wait_for',
        key: step.key,
        event: step.event,
        timeoutMs: step.timeoutMs,
        onTimeout: step.onTimeout === undefined ? undefined : resolve(step.onTimeout, index, 'onTimeout'),
      };
    case 'branch':
      return {
        type: 'branch',
        key: step.key,
        when: compileWhen(step.when, `${where}.when`),
        onTrue: resolve(step.then, index, 'then'),
        onFalse: step.else === undefined ? index + 1 : resolve(step.else, index, 'else'),
      };
    case 'decide':
      return { type: 'decide', key: step.key };
    case 'send':
      return { type: 'send', key: step.key, action: step.action };
    case 'update':
      return { type: 'update', key: step.key, traits: step.traits };
    case 'audience':
      return { type: 'audience', key: step.key, destination: step.destination, op: step.op };
    case 'exit':
      return { type: 'exit', key: step.key };
  }
}

function compileWhen(condition: unknown, where: string): CompiledCondition {
  try {
    return compileCondition(condition);
  } catch (error) {
    if (!(error instanceof TailorError)) throw error;
    const details = error.details.map((detail) => ({
      path: detail.path === '' ? where : `${where}.${detail.path}`,
      message: detail.message,
    }));
    throw new TailorError('INVALID_WORKSPACE', `${where}: ${error.message}`, details);
  }
}

function invalid(path: string, message: string): never {
  throw new TailorError('INVALID_WORKSPACE', message, [{ path, message }]);
}

function addTo(map: Map<string, CompiledJourney[]>, key: string, journey: CompiledJourney): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [journey]);
  else if (!list.includes(journey)) list.push(journey);
}
