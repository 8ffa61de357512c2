import type { CompiledCondition, ConditionReads } from '../conditions/compile-condition.ts';
import { compilePath, type PathGetter } from '../conditions/path-getter.ts';
import { buildEventIndex, type EventIndex, type IndexEntry } from '../ingest/event-index.ts';
import type { CompiledScore, CompiledScores } from '../intent/compile-scores.ts';
import { type CompiledLifecycle, lifecycleStage } from '../intent/lifecycle.ts';
import type { CompiledComputedTraits, CompiledTrait } from '../profile/computed/compile-computed-traits.ts';
import { newProfile } from '../profile/new-profile.ts';
import { profileContext } from '../profile/profile-context.ts';
import type { SegmentDef } from './audience-def.ts';
import { type BehaviourCounts, PERFORMED_TYPES } from './behaviour-counts.ts';
import type { CompiledDetectors } from './compile-detectors.ts';

/** A segment ready for the hot path: its condition compiled, and where it sits in evaluation order. */
export interface CompiledSegment {
  readonly kind: 'segment';
  readonly key: string;
  readonly def: SegmentDef;
  readonly when: CompiledCondition;
  /** Position in evaluation order: a segment comes after every segment it reads. */
  readonly order: number;
}

/** The lifecycle stage as one audience target, evaluated before every segment. */
export interface LifecycleTarget {
  readonly kind: 'lifecycle';
  readonly order: -1;
}

/** What the audience keeps an answer for: the lifecycle stage or one segment. */
export type AudienceTarget = CompiledSegment | LifecycleTarget;

/** The single lifecycle target. */
export const LIFECYCLE_TARGET: LifecycleTarget = { kind: 'lifecycle', order: -1 };

/** What changed during one evaluation that other targets may read. */
export type ChangeKey = `segments.${string}` | 'risks' | 'lifecycle_stage';

/**
 * Timed targets indexed by the time input they read, so a due moment evaluates only those the
 * profile holds data for: a windowed count it never touched stays empty, a score it never earned
 * stays 0, and neither can flip an answer.
 */
export interface TimedTargets {
  /** By windowed trait key (declared or hidden). */
  readonly byTrait: ReadonlyMap<string, readonly AudienceTarget[]>;
  /** By decaying score key. */
  readonly byScore: ReadonlyMap<string, readonly AudienceTarget[]>;
  /** Reading a timestamp with `$olderThan`/`$newerThan`: evaluated at every due moment. */
  readonly byAge: readonly AudienceTarget[];
}

/** The inputs that change with time alone and that timed targets read, for the profile's next due time. */
export interface TimeInputs {
  /** Windowed traits (declared or hidden) read by a timed target, by key. */
  readonly traits: ReadonlyMap<string, CompiledTrait>;
  /** Decaying scores read by a timed target, with the numbers they are compared with. */
  readonly scores: readonly { score: CompiledScore; thresholds: readonly number[] }[];
  /** Context paths compared by `$olderThan`/`$newerThan`, with the durations. */
  readonly ages: readonly { get: PathGetter; ms: readonly number[] }[];
}

/**
 * A workspace's audience definitions (segments, lifecycle, detectors) compiled once per
 * definition version, with the indexes that keep per-event cost independent of definitions the
 * event cannot affect: by event type and name (through the computed traits, score rules and
 * `$performed` events a target reads), by the kind of profile data an event changes, and by
 * the targets that read other targets' answers.
 */
export interface CompiledAudience {
  /** Nothing to keep: no segments, lifecycle stages or detectors. */
  readonly empty: boolean;
  readonly segments: readonly CompiledSegment[];
  readonly lifecycle: CompiledLifecycle;
  readonly detectors: CompiledDetectors;
  /** Targets an event can affect through the computed traits, scores and events they read. */
  readonly byEvent: EventIndex<AudienceTarget>;
  /** Targets reading what every event changes (`last_seen`, or a path the index cannot place). */
  readonly onAnyEvent: readonly AudienceTarget[];
  /** Targets reading `traits`: events carrying traits affect them. */
  readonly onTraits: readonly AudienceTarget[];
  /** Targets reading `consent`. */
  readonly onConsent: readonly AudienceTarget[];
  /** Targets reading `identifiers`: events that add identifiers or merge profiles affect them. */
  readonly onIdentifiers: readonly AudienceTarget[];
  /** Segments reading another target's answer, by what they read. */
  readonly dependents: ReadonlyMap<ChangeKey, readonly CompiledSegment[]>;
  /** Targets whose answer can change with time alone, by what makes them change. */
  readonly timed: TimedTargets;
  /**
   * Targets that hold for a profile with nothing on it (a catch-all stage, a segment like "not
   * a customer"): evaluated when a profile is created, beside those its first event affects.
   */
  readonly onNewProfile: readonly AudienceTarget[];
  readonly timeInputs: TimeInputs;
  readonly behaviour: BehaviourCounts;
}

/** One target's condition reads, as compiled. */
interface TargetReads {
  target: AudienceTarget;
  reads: ConditionReads;
}

/**
 * Compiles segments and indexes every audience target; called when a workspace definition is
 * loaded. Segments are ordered so each comes after those it reads (the workspace loader
 * refuses cycles; a cycle that slips through is evaluated in definition order). Throws
 * TailorError INVALID_CONDITION on a bad condition, like the other compilers.
 */
export function compileAudience(input: {
  segments: readonly SegmentDef[];
  lifecycle: CompiledLifecycle;
  lifecycleReads: readonly ConditionReads[];
  detectors: CompiledDetectors;
  computed: CompiledComputedTraits;
  scores: CompiledScores;
  behaviour: BehaviourCounts;
  segmentReads: ReadonlyMap<string, { matcher: CompiledCondition; reads: ConditionReads }>;
}): CompiledAudience {
  const { lifecycle, detectors, computed, scores, behaviour } = input;
  const segments = orderSegments(input.segments, input.segmentReads);
  const all: TargetReads[] = [
    ...input.lifecycleReads.map((reads) => ({ target: LIFECYCLE_TARGET, reads })),
    ...segments.map((segment) => ({ target: segment, reads: readsOf(input.segmentReads, segment.key) })),
  ];
  const entries: IndexEntry<AudienceTarget>[] = [];
  const onAnyEvent = new Set<AudienceTarget>();
  const onTraits = new Set<AudienceTarget>();
  const onConsent = new Set<AudienceTarget>();
  const onIdentifiers = new Set<AudienceTarget>();
  const dependents = new Map<ChangeKey, CompiledSegment[]>();
  const byTrait = new Map<string, AudienceTarget[]>();
  const byScore = new Map<string, AudienceTarget[]>();
  const byAge = new Set<AudienceTarget>();
  const timedOn = (map: Map<string, AudienceTarget[]>, key: string, target: AudienceTarget): void => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [target]);
    else if (!list.includes(target)) list.push(target);
  };
  const timedTraits = new Set<CompiledTrait>();
  const timedScores = new Map<CompiledScore, Set<number>>();
  const ages = new Map<string, Set<number>>();
  const traitsByKey = new Map(computed.traits.map((trait) => [trait.key, trait]));
  const scoresByKey = new Map(scores.scores.map((score) => [score.key, score]));

  for (const { target, reads } of all) {
    const addDependent = (key: ChangeKey): void => {
      if (target.kind !== 'segment') return;
      const list = dependents.get(key);
      if (list === undefined) dependents.set(key, [target]);
      else if (!list.includes(target)) list.push(target);
    };
    for (const event of reads.events) entries.push({ item: target, types: PERFORMED_TYPES, names: [event] });
    for (const path of reads.paths) {
      const [root, key] = path.split('.');
      if (root === 'computed' && key !== undefined && traitsByKey.has(key)) {
        const trait = traitsByKey.get(key);
        if (trait === undefined) continue;
        entries.push({ item: target, types: trait.def.eventTypes, names: trait.def.events });
        if (trait.windowMs !== undefined) {
          timedOn(byTrait, trait.key, target);
          timedTraits.add(trait);
        }
      } else if (root === 'scores' && key !== undefined && scoresByKey.has(key)) {
        const score = scoresByKey.get(key);
        if (score === undefined) continue;
        for (const rule of score.def.rules)
          entries.push({
            item: target,
            types: rule.eventTypes,
            names: rule.event === undefined ? undefined : [rule.event],
          });
        if (score.halfLifeMs !== undefined) {
          timedOn(byScore, score.key, target);
          const set = timedScores.get(score) ?? new Set<number>();
          for (const value of reads.thresholds[path] ?? []) set.add(value);
          timedScores.set(score, set);
        }
      } else if (root === 'traits') onTraits.add(target);
      else if (root === 'consent') onConsent.add(target);
      else if (root === 'identifiers') onIdentifiers.add(target);
      else if (root === 'segments') {
        for (const segment of key === undefined ? reads.segments : [key]) addDependent(`segments.${segment}`);
      } else if (root === 'risks') addDependent('risks');
      else if (root === 'lifecycle_stage') addDependent('lifecycle_stage');
      else onAnyEvent.add(target);
    }
    for (const [path, durations] of Object.entries(reads.ages)) {
      byAge.add(target);
      const set = ages.get(path) ?? new Set<number>();
      for (const ms of durations) set.add(ms);
      ages.set(path, set);
    }
    for (const read of reads.performed) {
      const trait = behaviour.traitFor(read);
      if (trait === undefined || trait.windowMs === undefined) continue;
      timedOn(byTrait, trait.key, target);
      timedTraits.add(trait);
    }
  }
  const empty = segments.length === 0 && lifecycle.stages.length === 0 && detectors.all.length === 0;
  const blank = profileContext({
    profile: newProfile({ id: '', workspaceId: '', at: 0 }),
    compiled: computed,
    now: 0,
    scores,
  });
  const onNewProfile: AudienceTarget[] = [];
  if (lifecycleStage({ compiled: lifecycle, context: blank, now: 0 }) !== null)
    onNewProfile.push(LIFECYCLE_TARGET);
  for (const segment of segments)
    if (segment.when(blank, 0, behaviour.source({}))) onNewProfile.push(segment);
  return {
    empty,
    segments,
    lifecycle,
    detectors,
    byEvent: buildEventIndex(entries),
    onAnyEvent: [...onAnyEvent],
    onTraits: [...onTraits],
    onConsent: [...onConsent],
    onIdentifiers: [...onIdentifiers],
    dependents,
    timed: { byTrait, byScore, byAge: [...byAge] },
    onNewProfile,
    timeInputs: {
      traits: new Map([...timedTraits].map((trait) => [trait.key, trait])),
      scores: [...timedScores].map(([score, thresholds]) => ({ score, thresholds: [...thresholds] })),
      ages: [...ages].map(([path, ms]) => ({ get: compilePath(path), ms: [...ms] })),
    },
    behaviour,
  };
}

function readsOf(compiled: ReadonlyMap<string, { reads: ConditionReads }>, key: string): ConditionReads {
  const entry = compiled.get(key);
  if (entry === undefined) throw new Error(`segment ${key} was not compiled`);
  return entry.reads;
}

/** Segments in an order where each comes after the segments it reads (depth-first, definition order otherwise). */
function orderSegments(
  defs: readonly SegmentDef[],
  compiled: ReadonlyMap<string, { matcher: CompiledCondition; reads: ConditionReads }>,
): CompiledSegment[] {
  const byKey = new Map(defs.map((def) => [def.key, def]));
  const ordered: CompiledSegment[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (def: SegmentDef): void => {
    if (state.has(def.key)) return;
    state.set(def.key, 'visiting');
    const entry = compiled.get(def.key);
    if (entry === undefined) throw new Error(`segment ${def.key} was not compiled`);
    for (const key of entry.reads.segments) {
      const dependency = byKey.get(key);
      if (dependency !== undefined) visit(dependency);
    }
    state.set(def.key, 'done');
    ordered.push({ kind: 'segment', key: def.key, def, when: entry.matcher, order: ordered.length });
  };
  for (const def of defs) visit(def);
  return ordered;
}
