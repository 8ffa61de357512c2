import { type NetworkPolicy, STRICT_NETWORK_POLICY } from '../activate/outbound/network-policy.ts';
import { redactedSecretProblem } from '../activate/resolve-secret.ts';
import { conditionReads } from '../conditions/compile-condition.ts';
import { isJsonObject } from '../ingest/merge-objects.ts';
import { LIFECYCLE_READABLE_ROOTS } from '../intent/lifecycle.ts';
import { AGGREGATES } from '../profile/computed/computed-trait.ts';
import { collectAudienceIssues } from './collect-audience-issues.ts';
import { collectChannelIssues } from './collect-channel-issues.ts';
import { collectDecisionIssues } from './collect-decision-issues.ts';
import { collectDetectorIssues } from './collect-detector-issues.ts';
import { collectHubSpotIssues } from './collect-hubspot-issues.ts';
import { collectJourneyIssues } from './collect-journey-issues.ts';
import { collectSegmentIssues } from './collect-segment-issues.ts';
import { conditionIssues, conditionKeyPath, pathRoot, readPosition } from './condition-issues.ts';
import { duplicateKeyIssue, durationIssue } from './field-issues.ts';
import type { FieldPathSegment, WorkspaceIssue } from './workspace-issue.ts';

/**
 * The checks a schema cannot express: trait, score, lifecycle stage, segment and detector keys
 * are unique, windows, half-lives and waits are durations, every aggregate but `count` names the
 * `property` it aggregates, conditions compile (each problem at its path inside `where`/`when`)
 * and read only what they are evaluated with, only the last stage leaves out `when`, and segments
 * name segments, traits and scores that exist, without cycles; and the decisions sections'
 * checks (`collectDecisionIssues`), the journeys' (`collectJourneyIssues`) and the channels'
 * (`collectChannelIssues`, `collectAudienceIssues`, `collectHubSpotIssues`). Reads the document defensively, so it can run beside
 * `collectSchemaIssues` and a user sees every problem in one pass. Channel URLs are judged under
 * `network`, the deployment's policy (strict unless given).
 */
export function collectRuleIssues(
  document: unknown,
  network: NetworkPolicy = STRICT_NETWORK_POLICY,
): WorkspaceIssue[] {
  if (!isJsonObject(document)) return [];
  return [
    ...traitIssues(document.computed_traits),
    ...scoreIssues(document.scores),
    ...lifecycleIssues(document.lifecycle),
    ...collectSegmentIssues(document),
    ...collectDetectorIssues(document.detectors),
    ...collectDecisionIssues(document),
    ...collectJourneyIssues(document),
    ...collectChannelIssues(document.channels, network),
    ...collectAudienceIssues(document),
    ...collectHubSpotIssues(document),
    ...identityIssues(document.identity),
  ];
}

/** The identity verification secret given as `[redacted]`: copied from an API answer, not the secret. */
function identityIssues(identity: unknown): WorkspaceIssue[] {
  if (!isJsonObject(identity) || typeof identity.verification_secret !== 'string') return [];
  const message = redactedSecretProblem(identity.verification_secret, `\${TAILOR_SECRET_IDENTITY}`);
  return message === undefined ? [] : [{ path: ['identity', 'verification_secret'], at: 'value', message }];
}

function traitIssues(traits: unknown): WorkspaceIssue[] {
  if (!Array.isArray(traits)) return [];
  const issues: WorkspaceIssue[] = [];
  const firstIndex = new Map<string, number>();
  traits.forEach((trait: unknown, index) => {
    if (!isJsonObject(trait)) return;
    const { key, aggregate, window } = trait;
    duplicateKeyIssue({
      section: ['computed_traits'],
      what: 'computed trait',
      key,
      index,
      firstIndex,
      issues,
    });
    durationIssue({ path: ['computed_traits', index, 'window'], text: window, issues });
    if (
      aggregate !== 'count' &&
      AGGREGATES.some((known) => known === aggregate) &&
      trait.property === undefined
    ) {
      issues.push({
        path: ['computed_traits', index, 'property'],
        at: 'value',
        message: `\`${aggregate}\` needs a \`property\`: the dotted path of the value to aggregate, like properties.revenue`,
      });
    }
  });
  return issues;
}

/** Scores: unique keys, a half-life that is a duration, `min` not above `max`, and valid `where` conditions. */
function scoreIssues(scores: unknown): WorkspaceIssue[] {
  if (!Array.isArray(scores)) return [];
  const issues: WorkspaceIssue[] = [];
  const firstIndex = new Map<string, number>();
  scores.forEach((score: unknown, index) => {
    if (!isJsonObject(score)) return;
    const { key, min, max, rules } = score;
    duplicateKeyIssue({ section: ['scores'], what: 'score', key, index, firstIndex, issues });
    durationIssue({ path: ['scores', index, 'half_life'], text: score.half_life, issues });
    if (typeof min === 'number' && typeof max === 'number' && min > max) {
      issues.push({
        path: ['scores', index, 'max'],
        at: 'value',
        message: `\`max\` (${max}) is below \`min\` (${min}): no value could be read`,
      });
    }
    if (!Array.isArray(rules)) return;
    rules.forEach((rule: unknown, ruleIndex) => {
      if (!isJsonObject(rule) || !isJsonObject(rule.where)) return;
      issues.push(...conditionIssues(['scores', index, 'rules', ruleIndex, 'where'], rule.where));
    });
  });
  return issues;
}

/**
 * Lifecycle stages: unique keys, `when` left out on the last stage only (a stage without it takes
 * everyone, so later stages could never be reached), and valid conditions on the profile alone.
 */
function lifecycleIssues(lifecycle: unknown): WorkspaceIssue[] {
  if (!isJsonObject(lifecycle) || !Array.isArray(lifecycle.stages)) return [];
  const { stages } = lifecycle;
  const issues: WorkspaceIssue[] = [];
  const firstIndex = new Map<string, number>();
  stages.forEach((stage: unknown, index) => {
    if (!isJsonObject(stage)) return;
    const section: FieldPathSegment[] = ['lifecycle', 'stages'];
    duplicateKeyIssue({ section, what: 'lifecycle stage', key: stage.key, index, firstIndex, issues });
    if (stage.when === undefined && index < stages.length - 1) {
      issues.push({
        path: [...section, index],
        at: 'value',
        message: `only the last stage may leave out \`when\`: this stage takes everyone, so the ${stages.length - 1 - index} after it could never be reached`,
      });
    }
    if (!isJsonObject(stage.when)) return;
    const at = [...section, index, 'when'];
    const invalid = conditionIssues(at, stage.when);
    issues.push(...(invalid.length > 0 ? invalid : profileOnlyIssues(at, stage.when)));
  });
  return issues;
}

/**
 * Paths of a valid condition that a lifecycle stage cannot read (`event.*`, `properties.*`,
 * `segments`, …), and `$performed`, which needs event history a stage is not read with; each
 * at the key that reads it.
 */
function profileOnlyIssues(at: FieldPathSegment[], condition: Record<string, unknown>): WorkspaceIssue[] {
  const reads = conditionReads(condition);
  const readable = [...LIFECYCLE_READABLE_ROOTS].join(', ');
  const issues: WorkspaceIssue[] = reads.paths
    .filter((path) => !LIFECYCLE_READABLE_ROOTS.has(pathRoot(path)))
    .map((path) => ({
      path: [...at, ...readPosition(condition, path)],
      at: 'key',
      message: `\`${path}\` is not part of the profile: a lifecycle stage is read from the profile alone, so its condition may read only ${readable}`,
    }));
  if (reads.events.length > 0) {
    issues.push({
      path: [...at, ...(conditionKeyPath(condition, '$performed') ?? [])],
      at: 'key',
      message:
        '`$performed` needs the event history, which a lifecycle stage is not read with: count the events in a computed trait and test `computed.<key>`',
    });
  }
  return issues;
}
