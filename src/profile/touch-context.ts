import type { JsonObject, TailorEvent } from '../ingest/event.ts';
import { isJsonObject } from '../ingest/merge-objects.ts';
import type { ProfileState, TouchContext } from './profile.ts';

/**
 * Updates a profile's first and last touch from an event that carries attribution: a
 * `context.campaign` (UTM), `context.referrer`, `context.page` with a `url`, or
 * `context.location`. First touch is the earliest such event by event time, last touch the
 * latest; equal times are ordered by message id, so arrival order does not matter.
 */
export function applyTouch(profile: ProfileState, event: TailorEvent): void {
  const { context } = event;
  if (!carriesTouch(context)) return;
  const stamp = { at: event.timestamp, messageId: event.messageId };
  const first = profile.firstTouch === undefined || comesBefore(stamp, profile.firstTouch);
  const last = profile.lastTouch === undefined || comesBefore(profile.lastTouch, stamp);
  if (!first && !last) return;
  const touch = touchFrom(stamp, context);
  if (first) profile.firstTouch = touch;
  if (last) profile.lastTouch = touch;
}

/** Merges the touches of an absorbed profile: the earlier first touch and the later last touch win. */
export function mergeTouches(into: ProfileState, from: ProfileState): void {
  if (
    from.firstTouch !== undefined &&
    (into.firstTouch === undefined || comesBefore(from.firstTouch, into.firstTouch))
  ) {
    into.firstTouch = from.firstTouch;
  }
  if (
    from.lastTouch !== undefined &&
    (into.lastTouch === undefined || comesBefore(into.lastTouch, from.lastTouch))
  ) {
    into.lastTouch = from.lastTouch;
  }
}

function carriesTouch(context: JsonObject): boolean {
  const page = context['page'];
  return (
    hasEntries(context['campaign']) ||
    hasEntries(context['referrer']) ||
    hasEntries(context['location']) ||
    (isJsonObject(page) && typeof page['url'] === 'string')
  );
}

function hasEntries(value: unknown): value is JsonObject {
  if (!isJsonObject(value)) return false;
  for (const _ in value) return true;
  return false;
}

function comesBefore(a: { at: number; messageId: string }, b: { at: number; messageId: string }): boolean {
  return a.at < b.at || (a.at === b.at && a.messageId < b.messageId);
}

function touchFrom(stamp: { at: number; messageId: string }, context: JsonObject): TouchContext {
  const touch: TouchContext = { ...stamp };
  const { campaign, referrer, location, page, device, timezone, locale, userAgent, ip } = context;
  if (hasEntries(campaign)) touch.campaign = campaign;
  if (hasEntries(referrer)) touch.referrer = referrer;
  if (hasEntries(location)) touch.location = location;
  if (hasEntries(page)) touch.page = page;
  if (hasEntries(device)) touch.device = device;
  if (typeof timezone === 'string') touch.timezone = timezone;
  if (typeof locale === 'string') touch.locale = locale;
  if (typeof userAgent === 'string') touch.userAgent = userAgent;
  if (typeof ip === 'string') touch.ip = ip;
  return touch;
}
