import type { ErrorDetail } from '../errors.ts';
import { isJsonObject } from '../ingest/merge-objects.ts';
import type { CompiledScores } from '../intent/compile-scores.ts';
import type { CompiledDecisions } from './compile-decisions.ts';
import { conditionContext, emptyProfileContext, templateScope } from './decision-context.ts';
import { readValues, type VariantTrace } from './decision-trace.ts';
import { renderContent } from './render-content.ts';

/** What one placement shows: the variant chosen and its rendered content (null when none holds). */
export interface PlacementDecision {
  variant: string | null;
  content: Record<string, unknown> | null;
  /** Set when the placement key is not defined. */
  unknown?: true;
  /** With `trace`: the variants tried, in order, up to the one chosen. */
  trace?: VariantTrace[];
  /** With `trace`: template fields that failed to render (each rendered as `''`). */
  renderErrors?: ErrorDetail[];
}

/**
 * Decides placements for one request: for each key the first variant whose `when` holds (a
 * variant without `when` always holds), its content rendered for the person. Conditions read
 * the profile context (an empty one for someone unknown) with the request's Segment context
 * under `context` (`context.location.city`). An unknown key gives `{ variant: null, content:
 * null, unknown: true }`. Never throws.
 */
export function decidePlacements(input: {
  compiled: CompiledDecisions;
  keys: readonly string[];
  /** The request's Segment context (location, campaign, page…). */
  context: Record<string, unknown>;
  /** The person, when known: profile id and profile context (see `profileContext`). */
  profile?: { id: string; context: Record<string, unknown> } | undefined;
  event?: Record<string, unknown> | undefined;
  /** The workspace's scores, for score labels in templates. */
  scores?: CompiledScores | undefined;
  now: number;
  trace: boolean;
}): Record<string, PlacementDecision> {
  const { compiled, now } = input;
  const profile = input.profile?.context ?? emptyProfileContext();
  const context = conditionContext(profile, input.context, input.event);
  let scope: Record<string, unknown> | undefined;
  const decisions: Record<string, PlacementDecision> = {};
  for (const key of input.keys) {
    const placement = compiled.placements.get(key);
    if (placement === undefined) {
      decisions[key] = { variant: null, content: null, unknown: true };
      continue;
    }
    const tried: VariantTrace[] = [];
    const chosen = placement.variants.find((variant) => {
      const holds = variant.when === undefined || variant.when.matcher(context, now);
      if (input.trace)
        tried.push(
          holds || variant.when === undefined
            ? { variant: variant.key, holds }
            : { variant: variant.key, holds, reads: readValues(variant.when, context) },
        );
      return holds;
    });
    if (chosen === undefined) {
      decisions[key] = input.trace
        ? { variant: null, content: null, trace: tried }
        : { variant: null, content: null };
      continue;
    }
    scope ??= templateScope({
      id: input.profile?.id ?? null,
      profile,
      request: input.context,
      event: input.event,
      scores: input.scores,
    });
    const rendered = renderContent(chosen.content, scope);
    const content = isJsonObject(rendered.content) ? rendered.content : {};
    decisions[key] = input.trace
      ? { variant: chosen.key, content, trace: tried, renderErrors: rendered.errors }
      : { variant: chosen.key, content };
  }
  return decisions;
}
