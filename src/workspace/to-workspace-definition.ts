import type { DetectorDef, SegmentDef } from '../audience/audience-def.ts';
import {
  DEFAULT_IDENTITY_RULES,
  type IdentifierTypeRule,
  type IdentityRules,
} from '../identity/identity-rules.ts';
import type { LifecycleDef } from '../intent/lifecycle.ts';
import type { ScoreModelDef, ScoreRuleDef } from '../intent/score-model.ts';
import type { ComputedTraitDef } from '../profile/computed/computed-trait.ts';
import { parseDuration } from '../time/duration.ts';
import { toChannelsDef } from './to-channels-def.ts';
import { toDecisionsDef } from './to-decisions-def.ts';
import { toJourneyDef } from './to-journey-def.ts';
import type { WorkspaceDefinition } from './workspace.ts';
import type { WorkspaceFile } from './workspace-schema.ts';

/** How many recent events a profile keeps when the file does not say. */
export const DEFAULT_RECENT_EVENTS = 20;

/** The event types a computed trait counts when the file does not say. */
export const DEFAULT_TRAIT_EVENT_TYPES = ['track'] as const;

type RuleInput = NonNullable<NonNullable<WorkspaceFile['identity']>['default_rule']>;
type TraitInput = NonNullable<WorkspaceFile['computed_traits']>[number];
type ScoreInput = NonNullable<WorkspaceFile['scores']>[number];
type ScoreRuleInput = ScoreInput['rules'][number];
type LifecycleInput = NonNullable<WorkspaceFile['lifecycle']>;
type SegmentInput = NonNullable<WorkspaceFile['segments']>[number];
type DetectorInput = NonNullable<WorkspaceFile['detectors']>[number];

/**
 * Turns a validated workspace file (snake_case, with defaults left out) into the definition the
 * engine runs: identity rules merged field by field over DEFAULT_IDENTITY_RULES, `blocked_values`
 * added to the built-in list, windows in milliseconds, and every default filled in. Sections
 * added later (`lifecycle`, `segments`, `detectors`, `decisions`, `journeys`, `channels`) are
 * left out when the file has none, so definitions stored before them stay equal. Expects a
 * document that passed `collectSchemaIssues` and `collectRuleIssues`.
 */
export function toWorkspaceDefinition(file: WorkspaceFile): WorkspaceDefinition {
  const decisions = toDecisionsDef(file);
  const channels = toChannelsDef(file);
  return {
    id: file.workspace.id,
    name: file.workspace.name,
    identity: toIdentityRules(file.identity),
    computedTraits: (file.computed_traits ?? []).map(toComputedTrait),
    scores: (file.scores ?? []).map(toScore),
    recentEventsLimit: file.profile?.recent_events ?? DEFAULT_RECENT_EVENTS,
    ...(file.lifecycle === undefined ? {} : { lifecycle: toLifecycle(file.lifecycle) }),
    ...(file.segments === undefined ? {} : { segments: file.segments.map(toSegment) }),
    ...(file.detectors === undefined ? {} : { detectors: file.detectors.map(toDetector) }),
    ...(decisions === undefined ? {} : { decisions }),
    ...(file.journeys === undefined ? {} : { journeys: file.journeys.map(toJourneyDef) }),
    ...(channels === undefined ? {} : { channels }),
    ...(file.identity?.verification_secret === undefined
      ? {}
      : { identityVerification: { secret: file.identity.verification_secret } }),
  };
}

function toIdentityRules(identity: WorkspaceFile['identity']): IdentityRules {
  const types: Record<string, IdentifierTypeRule> = {};
  for (const [type, rule] of Object.entries(DEFAULT_IDENTITY_RULES.types)) types[type] = { ...rule };
  for (const [type, rule] of Object.entries(identity?.types ?? {})) {
    types[type] = mergeRule(types[type] ?? DEFAULT_IDENTITY_RULES.defaultRule, rule);
  }
  const blocked = new Set(DEFAULT_IDENTITY_RULES.blockedValues);
  for (const value of identity?.blocked_values ?? []) blocked.add(value.trim().toLowerCase());
  const rules: IdentityRules = {
    types,
    defaultRule: mergeRule(DEFAULT_IDENTITY_RULES.defaultRule, identity?.default_rule ?? {}),
    blockedValues: [...blocked],
  };
  if (identity?.default_country !== undefined) rules.defaultCountry = identity.default_country;
  return rules;
}

/** A rule with the fields the file sets; `limit: null` removes the limit. */
function mergeRule(base: IdentifierTypeRule, over: RuleInput): IdentifierTypeRule {
  const rule: IdentifierTypeRule = { priority: over.priority ?? base.priority };
  const limit = over.limit === undefined ? base.limit : over.limit;
  if (limit !== null && limit !== undefined) rule.limit = limit;
  return rule;
}

function toComputedTrait(trait: TraitInput): ComputedTraitDef {
  const def: ComputedTraitDef = {
    key: trait.key,
    aggregate: trait.aggregate,
    eventTypes: trait.event_types === undefined ? [...DEFAULT_TRAIT_EVENT_TYPES] : [...trait.event_types],
  };
  if (trait.events !== undefined) def.events = [...trait.events];
  if (trait.property !== undefined) def.property = trait.property;
  if (trait.where !== undefined) def.where = { ...trait.where };
  if (trait.window !== undefined) def.windowMs = parseDuration(trait.window);
  return def;
}

function toScore(score: ScoreInput): ScoreModelDef {
  const def: ScoreModelDef = {
    key: score.key,
    rules: score.rules.map(toScoreRule),
    labels: Object.entries(score.labels ?? {})
      .map(([label, min]) => ({ label, min }))
      .sort((a, b) => b.min - a.min),
  };
  if (score.half_life !== undefined) def.halfLifeMs = parseDuration(score.half_life);
  if (score.min !== undefined) def.min = score.min;
  if (score.max !== undefined) def.max = score.max;
  return def;
}

function toScoreRule(rule: ScoreRuleInput): ScoreRuleDef {
  const def: ScoreRuleDef = {
    eventTypes: rule.event_types === undefined ? [...DEFAULT_TRAIT_EVENT_TYPES] : [...rule.event_types],
    points: rule.points,
  };
  if (rule.event !== undefined) def.event = rule.event;
  if (rule.where !== undefined) def.where = { ...rule.where };
  return def;
}

function toLifecycle(lifecycle: LifecycleInput): LifecycleDef {
  return {
    stages: lifecycle.stages.map((stage) =>
      stage.when === undefined ? { key: stage.key } : { key: stage.key, when: { ...stage.when } },
    ),
  };
}

function toSegment(segment: SegmentInput): SegmentDef {
  const def: SegmentDef = { key: segment.key, when: { ...segment.when } };
  if (segment.name !== undefined) def.name = segment.name;
  if (segment.description !== undefined) def.description = segment.description;
  return def;
}

/** A detector with its wait in milliseconds and `unless` always a list. */
function toDetector(detector: DetectorInput): DetectorDef {
  const def: DetectorDef = {
    key: detector.key,
    after: detector.after,
    unless: typeof detector.unless === 'string' ? [detector.unless] : [...detector.unless],
    withinMs: parseDuration(detector.within),
    emit: detector.emit,
  };
  if (detector.where !== undefined) def.where = { ...detector.where };
  return def;
}
