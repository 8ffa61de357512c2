import { type ActionDecision, decideAction, type PropensitySource } from '../decide/decide-action.ts';
import { decidePlacements, type PlacementDecision } from '../decide/decide-placements.ts';
import type { LearnModel } from '../decide/learn/learn-model.ts';
import type { TailorEvent } from '../ingest/event.ts';
import { CONTENT_SHOWN, DECISION_MADE } from '../ingest/reserved-events.ts';
import type { ProfileState } from '../profile/profile.ts';
import { profileContext } from '../profile/profile-context.ts';
import type { ExposureRow } from '../store/ports/exposure-log.ts';
import type { CompiledWorkspace } from './compiled-workspace.ts';

/** What a decision is asked for: placements to fill, whether to pick an action, and the request's context. */
export interface DecideRequest {
  placements: readonly string[];
  actions: boolean;
  /** The request's Segment context (`location`, `campaign`, `page`, `timezone`…). */
  context: Record<string, unknown>;
  trace: boolean;
  /** The event that triggered the decision, when one did. */
  event?: Record<string, unknown>;
}

/** A decision: each placement's variant and content and, when asked, the next best action. */
export interface DecideResult {
  /** The person's profile id; null for someone Tailor does not know (they get the context-based answer). */
  profile_id: string | null;
  placements: Record<string, PlacementDecision>;
  action?: ActionDecision;
}

/**
 * Decides for one person (or someone unknown) at `now`, from the compiled workspace: placements
 * read the profile context and the request context; the action also reads the contact log and
 * the person's time zone (their last touch's, else the request's). Pure: nothing is recorded.
 */
export function decideFor(input: {
  workspace: CompiledWorkspace;
  profile: ProfileState | undefined;
  request: DecideRequest;
  now: number;
  propensity?: PropensitySource;
  /** Outcomes learned so far, for actions with a goal and placements that learn (see `LearningState`). */
  model?: LearnModel | undefined;
  /** Seeds the decision's Thompson samples (with the profile id and time). */
  seed?: string | undefined;
  /** Only this action may win (a journey's `send` step); its conditions and the contact policy still apply. */
  onlyAction?: string;
}): DecideResult {
  const { workspace, profile, request, now } = input;
  const { scores } = workspace;
  const only =
    input.onlyAction === undefined ? undefined : workspace.decisions.actionsByKey.get(input.onlyAction);
  const decisions =
    input.onlyAction === undefined
      ? workspace.decisions
      : { ...workspace.decisions, actions: only === undefined ? [] : [only] };
  const context =
    profile === undefined
      ? undefined
      : profileContext({ profile, compiled: workspace.computed, now, scores });
  const placements = decidePlacements({
    compiled: decisions,
    keys: request.placements,
    context: request.context,
    profile: profile === undefined || context === undefined ? undefined : { id: profile.id, context },
    event: request.event,
    scores,
    model: input.model,
    seed: input.seed,
    now,
    trace: request.trace,
  });
  const result: DecideResult = { profile_id: profile?.id ?? null, placements };
  if (!request.actions) return result;
  const timezone = profile?.lastTouch?.timezone ?? stringAt(request.context, 'timezone');
  result.action = decideAction({
    compiled: decisions,
    profile: {
      id: profile?.id ?? '',
      context: context ?? {},
      contacts: profile?.contacts ?? [],
      timezone,
    },
    now,
    propensity: input.propensity,
    model: input.model,
    seed: input.seed,
    trace: request.trace,
    request: request.context,
    event: request.event,
    scores,
  });
  return result;
}

/** Who recorded events are about: the ids a request named, or a known profile's own. */
export interface RecordIdentity {
  userId?: string;
  anonymousId?: string;
}

/**
 * The exposures that record a decision served, for the exposure log: one per placement that
 * showed a variant, under the decision's `messageId`, so a decision recorded twice is stored once.
 * Exposures are not events: they never touch the profile.
 */
export function decisionExposures(input: {
  workspaceId: string;
  result: DecideResult;
  identity: RecordIdentity;
  messageId: string;
  now: number;
}): ExposureRow[] {
  const { result, identity } = input;
  const rows: ExposureRow[] = [];
  for (const [placement, decision] of Object.entries(result.placements)) {
    if (decision.variant === null) continue;
    rows.push({
      workspaceId: input.workspaceId,
      profileId: result.profile_id,
      userId: identity.userId ?? null,
      anonymousId: identity.anonymousId ?? null,
      placement,
      variant: decision.variant,
      messageId: input.messageId,
      at: input.now,
    });
  }
  return rows;
}

/**
 * The events that record a decision served, so later sends, journeys and conversions can use
 * it: a `Decision Made` when an action was decided, and for a known person a `Content Shown`
 * per placement shown that learns or is in an experiment they are in — what goals are credited
 * to and the model counts (other placements shown are only exposures, see `decisionExposures`).
 * `messageId` seeds their ids (`<seed>-decision`, `<seed>-shown-<placement>`), so a decision
 * recorded twice (a replayed trigger) is logged once.
 */
export function decisionEvents(input: {
  result: DecideResult;
  identity: RecordIdentity;
  messageId: string;
  now: number;
  trigger?: string;
}): TailorEvent[] {
  const { result, identity, messageId, now } = input;
  const base = (id: string, name: string, properties: Record<string, unknown>): TailorEvent => ({
    type: 'track',
    messageId: id,
    timestamp: now,
    receivedAt: now,
    ...(identity.userId === undefined ? {} : { userId: identity.userId }),
    ...(identity.anonymousId === undefined ? {} : { anonymousId: identity.anonymousId }),
    event: name,
    properties,
    traits: {},
    context: {
      tailor: { recorded: true, ...(result.profile_id === null ? {} : { profile_id: result.profile_id }) },
    },
    integrations: {},
    origin: 'tailor',
  });
  const events: TailorEvent[] = [];
  if (result.profile_id !== null)
    for (const [placement, decision] of Object.entries(result.placements)) {
      const { variant, learning, experiments } = decision;
      if (variant === null || (learning === undefined && experiments === undefined)) continue;
      events.push(
        base(`${messageId}-shown-${placement}`, CONTENT_SHOWN, {
          placement,
          variant,
          ...(learning === undefined ? {} : { learning }),
          ...(experiments === undefined ? {} : { experiments }),
        }),
      );
    }
  const action = result.action;
  if (action !== undefined) {
    events.push(
      base(`${messageId}-decision`, DECISION_MADE, {
        ...action.context,
        outcome: action.outcome,
        action: action.action,
        channel: action.channel,
        timing: action.timing,
        send_at: action.send_at,
        reason: action.reason,
        content: action.content,
        ...(action.learning === undefined ? {} : { learning: action.learning }),
        ...(action.experiments === undefined ? {} : { experiments: action.experiments }),
        ...(input.trigger === undefined ? {} : { trigger: input.trigger }),
      }),
    );
  }
  return events;
}

/** The identity to record a known profile's own events under: its user id, else an anonymous id. */
export function profileIdentity(profile: ProfileState): RecordIdentity | undefined {
  const userId = profile.identifiers['user_id']?.[0];
  if (userId !== undefined) return { userId };
  const anonymousId = profile.identifiers['anonymous_id']?.[0];
  return anonymousId === undefined ? undefined : { anonymousId };
}

function stringAt(object: Record<string, unknown>, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' ? value : undefined;
}
