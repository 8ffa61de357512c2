import { compileBehaviourCounts } from '../audience/behaviour-counts.ts';
import { type CompiledAudience, compileAudience } from '../audience/compile-audience.ts';
import { compileDetectors } from '../audience/compile-detectors.ts';
import { compileConditionWithReads, conditionReads } from '../conditions/compile-condition.ts';
import { type CompiledDecisions, compileDecisions } from '../decide/compile-decisions.ts';
import type { DecisionsDef } from '../decide/decision-def.ts';
import { reservedEventKeys } from '../ingest/reserved-events.ts';
import { type CompiledScores, compileScores } from '../intent/compile-scores.ts';
import { type CompiledLifecycle, compileLifecycle } from '../intent/lifecycle.ts';
import { compileJourneys } from '../journey/compile-journeys.ts';
import { type JourneysInForce, journeysOf } from '../journey/journeys-in-force.ts';
import {
  type CompiledComputedTraits,
  compileComputedTraits,
} from '../profile/computed/compile-computed-traits.ts';
import type { WorkspaceDefinition } from '../workspace/workspace.ts';

/** A workspace definition with everything the hot path needs compiled once per version. */
export interface CompiledWorkspace {
  definition: WorkspaceDefinition;
  version: number;
  computed: CompiledComputedTraits;
  scores: CompiledScores;
  lifecycle: CompiledLifecycle;
  /** Segments, lifecycle stage and detectors, indexed for the hot path. */
  audience: CompiledAudience;
  /** Placements and actions with their conditions and templates compiled (empty when none are defined). */
  decisions: CompiledDecisions;
  /**
   * The definition's journeys, compiled and indexed by the events and segment changes that start
   * them, as if in force with nothing paused. The engine runs journeys as the log puts them in
   * force instead (`journeys` records), so runs keep their version and pauses hold.
   */
  journeys: JourneysInForce;
  /** Track event names a write key may not send: Tailor's own records and this workspace's detector events. */
  reservedEvents: ReadonlySet<string>;
}

/** The decisions of a workspace that defines none. */
const NO_DECISIONS: DecisionsDef = { placements: [], actions: [], contactPolicy: { caps: [] }, triggers: [] };

/** Compiles a workspace definition; called when a definition is loaded or changed, never per event. */
export function compileWorkspace(definition: WorkspaceDefinition, version: number): CompiledWorkspace {
  const segments = definition.segments ?? [];
  const segmentReads = new Map(
    segments.map((segment) => [segment.key, compileConditionWithReads(segment.when)]),
  );
  const behaviour = compileBehaviourCounts(
    [...segmentReads.values()].flatMap((entry) => entry.reads.performed),
  );
  const computed = compileComputedTraits(definition.computedTraits, behaviour.traits);
  const scores = compileScores(definition.scores ?? []);
  const lifecycle = compileLifecycle(definition.lifecycle);
  const lifecycleReads = (definition.lifecycle?.stages ?? []).flatMap((stage) =>
    stage.when === undefined ? [] : [conditionReads(stage.when)],
  );
  const audience = compileAudience({
    segments,
    lifecycle,
    lifecycleReads,
    detectors: compileDetectors(definition.detectors ?? []),
    computed,
    scores,
    behaviour,
    segmentReads,
  });
  const decisions = compileDecisions(definition.decisions ?? NO_DECISIONS);
  const journeys = journeysOf(compileJourneys(definition.journeys ?? []), version);
  const reservedEvents = reservedEventKeys((definition.detectors ?? []).map((detector) => detector.emit));
  return { definition, version, computed, scores, lifecycle, audience, decisions, journeys, reservedEvents };
}
