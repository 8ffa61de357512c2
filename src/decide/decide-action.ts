import { isJsonObject } from '../ingest/merge-objects.ts';
import type { CompiledScores } from '../intent/compile-scores.ts';
import type { ContactRecord } from '../profile/contact-history.ts';
import { chooseChannel, preferredChannel } from './choose-channel.ts';
import type { CompiledAction, CompiledDecisions } from './compile-decisions.ts';
import { nextAllowedMoment } from './contact-policy.ts';
import { conditionContext, contextScoreLabel, templateScope } from './decision-context.ts';
import {
  type CandidateTrace,
  type ChannelTrace,
  type DecisionLearning,
  type DecisionTrace,
  traceCheck,
} from './decision-trace.ts';
import { holdoutBucket } from './holdout.ts';
import { armKeys, assignArms, excludingExperiment } from './learn/experiment-arms.ts';
import type { LearnModel } from './learn/learn-model.ts';
import {
  type LearningScope,
  learnedPropensity,
  learningScope,
  winnerLearning,
} from './learn/learning-scope.ts';
import { renderContent } from './render-content.ts';
import { isTimeZone } from './zoned-time.ts';

/**
 * How likely the person is to respond to an action, 0..1, given the condition context (the
 * profile context with `context` and `event`). The default returns the action's `propensity`;
 * a model can be plugged in here.
 */
export type PropensitySource = (action: CompiledAction, profileContext: Record<string, unknown>) => number;

/** A summary of the person as the decision saw them. */
export interface DecisionSummary {
  /** The label of the `intent` score, if the workspace has one and it reaches a threshold. */
  intent: string | null;
  /** The first risk the person has. */
  risk: string | null;
  preferred_channel: string | null;
  /** The action that wins, or would have for someone held out; `no_action` when none. */
  recommended_action: string;
  timing: string | null;
}

/** The next best action for one person, as the decide stage answers it. */
export interface ActionDecision {
  outcome: 'action' | 'no_action' | 'held_out';
  action: string | null;
  channel: string | null;
  timing: 'immediate' | 'delayed' | null;
  /** For `delayed`: when to send (ISO-8601), the end of the person's quiet hours. */
  send_at: string | null;
  /** The action's content for the channel, rendered for the person. */
  content: Record<string, unknown> | null;
  reason: string | null;
  context: DecisionSummary;
  decided_at: string;
  /** The arm of each experiment the person is in (experiment key → arm key). */
  experiments?: Record<string, string>;
  /** When the winning action (or, held out, the one that would have won) learns: what it learned. */
  learning?: DecisionLearning;
  trace?: DecisionTrace;
}

/** The person a decision is for. */
export interface DecisionProfile {
  id: string;
  /** The profile context (see `profileContext`), read at the decision time. */
  context: Record<string, unknown>;
  /** The contact log, newest first (see `recordContact`). */
  contacts: readonly ContactRecord[];
  /** The person's IANA time zone (the last touch's), when known. */
  timezone?: string | undefined;
}

interface Candidate {
  action: CompiledAction;
  priority: number;
  /** The factors of `priority`, for the winner's reason. */
  likelihood: number;
  contextWeight: number;
  /** The priority with the learned mean in place of a sample: what ranks without exploring. */
  meanPriority: number;
  trace: CandidateTrace;
}

const defaultPropensity: PropensitySource = (action) => action.propensity;

/**
 * Next best action arbitration for one person at `now`. Candidates are the actions whose
 * eligibility, applicability and suitability all hold; each gets priority = propensity ×
 * context weight × value × weight, and the highest positive one with a usable channel wins
 * (ties by definition order). "No action" (priority 0) wins when nothing is positive or no
 * candidate has a usable channel. Someone in the holdout gets `held_out`, though the trace
 * still names what would have won. A winner is sent at once, or at the end of the person's
 * quiet hours (`delayed`, except `in_app`). Conditions read the profile context with the
 * request context under `context` and a triggering event under `event`. Never throws.
 */
export function decideAction(input: {
  compiled: CompiledDecisions;
  profile: DecisionProfile;
  now: number;
  propensity?: PropensitySource | undefined;
  trace: boolean;
  /** The request's Segment context, if the decision answers a request. */
  request?: Record<string, unknown> | undefined;
  /** The triggering event, if an event triggered the decision. */
  event?: Record<string, unknown> | undefined;
  /** The workspace's scores, for score labels (`context.intent`, templates). */
  scores?: CompiledScores | undefined;
  /** Outcomes learned so far, for actions with a goal; without it they use their priors. */
  model?: LearnModel | undefined;
  /** Seeds this decision's Thompson samples with the profile id and time, so it can be re-made alike. */
  seed?: string | undefined;
}): ActionDecision {
  const { compiled, profile, now } = input;
  const context = conditionContext(profile.context, input.request, input.event);
  const propensity = input.propensity ?? defaultPropensity;
  const traces: CandidateTrace[] = [];
  const candidates: Candidate[] = [];
  let learning: LearningScope | undefined;
  const scope = (): LearningScope => {
    learning ??= learningScope(input.model, `${input.seed ?? ''}|${profile.id}|${now}`);
    return learning;
  };
  const arms = assignArms(compiled.actionExperiments, profile.id);
  for (const action of compiled.actions) {
    const excludedBy = arms === undefined ? undefined : excludingExperiment(arms, action.key);
    if (excludedBy !== undefined) {
      traces.push({
        action: action.key,
        candidate: false,
        conditions: [{ condition: `experiment:${excludedBy}`, holds: false }],
      });
      continue;
    }
    const candidate = evaluate({
      action,
      context,
      now,
      propensity,
      tracing: input.trace,
      learning: action.learning === undefined ? undefined : scope(),
    });
    traces.push(candidate.trace);
    if (candidate.trace.candidate && candidate.priority > 0) candidates.push(candidate);
  }
  candidates.sort((a, b) => b.priority - a.priority || a.action.index - b.action.index);
  let winner: { candidate: Candidate; channel: string } | undefined;
  const refused: string[] = [];
  for (const candidate of candidates) {
    const choice = chooseChannel({
      action: candidate.action,
      profile: profile.context,
      contacts: profile.contacts,
      policy: compiled.contactPolicy,
      now,
    });
    candidate.trace.channels = choice.tried;
    if (choice.channel !== null) {
      winner = { candidate, channel: choice.channel };
      break;
    }
    refused.push(`${candidate.action.key} (${describeRefusals(choice.tried)})`);
  }
  const trace: DecisionTrace = {
    candidates: traces,
    winner: winner === undefined ? null : { action: winner.candidate.action.key, channel: winner.channel },
    renderErrors: [],
  };
  const learned =
    winner === undefined
      ? undefined
      : winnerLearning({
          winner: winner.candidate,
          learned: winner.candidate.trace.learned,
          options: candidates,
          byMean: (candidate) => candidate.meanPriority,
        });
  if (learned !== undefined) trace.learning = learned;
  const recorded = {
    ...(learned === undefined ? {} : { learning: learned }),
    ...(arms === undefined ? {} : { experiments: armKeys(arms) }),
  };
  if (arms !== undefined) trace.experiments = armKeys(arms);
  const summary: DecisionSummary = {
    intent: contextScoreLabel(profile.context, 'intent', input.scores),
    risk: firstKey(profile.context['risks']),
    preferred_channel: preferredChannel(profile.context),
    recommended_action: winner?.candidate.action.key ?? 'no_action',
    timing: null,
  };
  const decided = { decided_at: new Date(now).toISOString() };
  const holdout = compiled.holdout;
  if (holdout !== undefined && holdout.percent > 0) {
    const bucket = holdoutBucket(holdout.salt, profile.id);
    const heldOut = bucket < holdout.percent;
    trace.holdout = { percent: holdout.percent, bucket, heldOut };
    if (heldOut)
      return finish(input.trace, trace, {
        ...nothing('held_out', `holdout: in the ${holdout.percent}% control group`, summary),
        ...decided,
        ...recorded,
      });
  }
  if (winner === undefined) {
    const reason =
      refused.length > 0
        ? `no usable channel: ${refused.join('; ')}`
        : traces.some((entry) => entry.candidate)
          ? 'no action has a positive priority'
          : 'no action is eligible, applicable and suitable';
    return finish(input.trace, trace, { ...nothing('no_action', reason, summary), ...decided, ...recorded });
  }
  const { candidate, channel } = winner;
  const timezone = personTimezone(input.request, profile.timezone, compiled.quietHours?.defaultTimezone);
  const quiet = compiled.quietHours;
  const sendAt = quiet === undefined || channel === 'in_app' ? now : nextAllowedMoment(quiet, timezone, now);
  const timing = sendAt > now ? 'delayed' : 'immediate';
  trace.timing = {
    timezone,
    quietHours: quiet === undefined ? null : { start: quiet.start, end: quiet.end },
    sendAt: timing === 'delayed' ? new Date(sendAt).toISOString() : null,
  };
  const channelContent = candidate.action.content.get(channel);
  let content: Record<string, unknown> = {};
  if (channelContent !== undefined) {
    const scope = templateScope({
      id: profile.id,
      profile: profile.context,
      request: input.request,
      event: input.event,
      scores: input.scores,
    });
    const rendered = renderContent(channelContent, scope);
    if (isJsonObject(rendered.content)) content = rendered.content;
    trace.renderErrors = rendered.errors;
  }
  return finish(input.trace, trace, {
    outcome: 'action',
    action: candidate.action.key,
    channel,
    timing,
    send_at: timing === 'delayed' ? new Date(sendAt).toISOString() : null,
    content,
    reason: `highest priority: ${arithmetic(candidate)}`,
    context: { ...summary, timing },
    ...decided,
    ...recorded,
  });
}

function evaluate(input: {
  action: CompiledAction;
  context: Record<string, unknown>;
  now: number;
  propensity: PropensitySource;
  tracing: boolean;
  learning: LearningScope | undefined;
}): Candidate {
  const { action, context, now, propensity, tracing } = input;
  const trace: CandidateTrace = { action: action.key, candidate: true, conditions: [] };
  const refused = { action, priority: 0, likelihood: 0, contextWeight: 0, meanPriority: 0, trace };
  for (const { gate, check } of action.gates) {
    if (!tracing) {
      // Without a trace, nothing is read back or written out: the hot path only asks.
      if (check.matcher(context, now)) continue;
      trace.candidate = false;
      return refused;
    }
    const entry = traceCheck(gate, check, context, now);
    trace.conditions.push(entry);
    if (!entry.holds) trace.candidate = false;
  }
  if (!trace.candidate) return refused;
  let contextWeight = 1;
  const weights: { index: number; weight: number }[] = [];
  action.contextWeights.forEach((entry, index) => {
    if (!entry.check.matcher(context, now)) return;
    contextWeight *= entry.weight;
    weights.push({ index, weight: entry.weight });
  });
  let raw: number;
  let mean: number | undefined;
  const learning = action.learning;
  if (learning !== undefined && input.learning !== undefined) {
    const learned = learnedPropensity({ scope: input.learning, key: action.key, learning, context });
    trace.learned = learned;
    raw = learned.propensity;
    mean = learned.mean;
  } else {
    raw = propensity(action, context);
  }
  const likelihood = Number.isFinite(raw) ? Math.min(Math.max(raw, 0), 1) : 0;
  const scale = contextWeight * action.value * action.weight;
  const priority = likelihood * scale;
  trace.priority = priority;
  trace.contextWeights = weights;
  const candidate = {
    action,
    priority,
    likelihood,
    contextWeight,
    meanPriority: (mean ?? likelihood) * scale,
    trace,
  };
  if (tracing) trace.arithmetic = arithmetic(candidate);
  return candidate;
}

/** The priority formula with a candidate's numbers, as the trace and the winner's reason show it. */
function arithmetic(candidate: Candidate): string {
  const { action, likelihood, contextWeight, priority } = candidate;
  return (
    `propensity ${short(likelihood)} × context ${short(contextWeight)} × value ${short(action.value)}` +
    ` × weight ${short(action.weight)} = ${short(priority)}`
  );
}

function nothing(
  outcome: 'no_action' | 'held_out',
  reason: string,
  summary: DecisionSummary,
): Omit<ActionDecision, 'decided_at'> {
  return {
    outcome,
    action: null,
    channel: null,
    timing: null,
    send_at: null,
    content: null,
    reason,
    context: summary,
  };
}

function finish(tracing: boolean, trace: DecisionTrace, decision: ActionDecision): ActionDecision {
  return tracing ? { ...decision, trace } : decision;
}

function describeRefusals(tried: readonly ChannelTrace[]): string {
  return tried.map((entry) => `${entry.channel}: ${entry.reason ?? 'allowed'}`).join('; ');
}

function personTimezone(
  request: Record<string, unknown> | undefined,
  profileZone: string | undefined,
  fallback: string | undefined,
): string {
  for (const zone of [request?.['timezone'], profileZone])
    if (typeof zone === 'string' && zone !== '' && isTimeZone(zone)) return zone;
  return fallback ?? 'UTC';
}

function firstKey(values: unknown): string | null {
  if (typeof values !== 'object' || values === null) return null;
  return Object.keys(values)[0] ?? null;
}

function short(value: number): string {
  return String(Number(value.toPrecision(6)));
}
