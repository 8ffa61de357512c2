import { compilePath } from '../../conditions/path-getter.ts';
import type { CompiledScores } from '../../intent/compile-scores.ts';
import type { CompiledComputedTraits } from '../../profile/computed/compile-computed-traits.ts';
import type { ProfileState } from '../../profile/profile.ts';
import { profileContext } from '../../profile/profile-context.ts';
import type { ChannelsDef } from '../channels-def.ts';
import type { SendRecord } from '../send-record.ts';

/** The trigger of contact upserts, which the outbox counts them by. */
export const CRM_TRIGGER = 'crm:hubspot';

/** A person's contact as the CRM should hold it: the email it is keyed by and the mapped properties. */
export interface ContactValues {
  email: string;
  properties: Record<string, string>;
}

/** Reads a person's contact values at a moment; undefined for a person without an email. */
export type ContactProjector = (profile: ProfileState, now: number) => ContactValues | undefined;

/**
 * Compiles the workspace file's `contact_properties` (profile field → HubSpot property) into a
 * projector. Fields are read as conditions read them (`traits.first_name`, `computed.order_count`,
 * `scores.intent`, `lifecycle_stage`, valued at `now`); every value is written as HubSpot takes
 * it, a string: numbers as they are except scores, rounded to whole points (a score decays every
 * moment, and a CRM is told when it moves a point, not each instant), booleans `true`/`false`,
 * objects and lists as JSON, and a missing value as the empty string, which clears the property.
 */
export function compileContactProperties(input: {
  mapping: Record<string, string>;
  computed: CompiledComputedTraits;
  scores: CompiledScores;
}): ContactProjector {
  const fields = Object.entries(input.mapping).map(([field, property]) => ({
    property,
    read: compilePath(field),
    score: field.startsWith('scores.'),
  }));
  return (profile, now) => {
    const email = profile.identifiers['email']?.[0];
    if (email === undefined) return undefined;
    const context = profileContext({ profile, compiled: input.computed, scores: input.scores, now });
    const properties: Record<string, string> = {};
    for (const { property, read, score } of fields) properties[property] = written(read(context), score);
    return { email, properties };
  };
}

/**
 * The projector of a workspace's HubSpot contacts, when contacts go out (`channels.hubspot` has
 * an access token and `contact_properties`); undefined otherwise.
 */
export function contactProjectorOf(workspace: {
  definition: { channels?: ChannelsDef | undefined };
  computed: CompiledComputedTraits;
  scores: CompiledScores;
}): ContactProjector | undefined {
  const hubspot = workspace.definition.channels?.hubspot;
  if (hubspot?.accessToken === undefined || hubspot.contactProperties === undefined) return undefined;
  return compileContactProperties({
    mapping: hubspot.contactProperties,
    computed: workspace.computed,
    scores: workspace.scores,
  });
}

/** A value as a HubSpot property holds it. */
function written(value: unknown, score: boolean): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number')
    return Number.isFinite(value) ? String(score ? Math.round(value) : value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return JSON.stringify(value);
}

/** A fingerprint of contact values: equal when the CRM need not be told anything new. */
export function contactFingerprint(values: ContactValues | undefined): string {
  return values === undefined ? '' : JSON.stringify(values);
}

/**
 * The upsert an applied event asks of the CRM: one when the person's contact values after it
 * differ from those before (`before`, their fingerprint; undefined for a profile it created), under
 * the id `<messageId>:hubspot` so a replay records it once. Pure.
 */
export function contactUpsert(input: {
  workspaceId: string;
  messageId: string;
  profile: ProfileState;
  after: ContactValues | undefined;
  before: string | undefined;
  now: number;
}): SendRecord | undefined {
  const { after, now } = input;
  if (after === undefined || contactFingerprint(after) === input.before) return undefined;
  return {
    workspaceId: input.workspaceId,
    id: `${input.messageId}:hubspot`,
    profileId: input.profile.id,
    channel: 'hubspot',
    to: after.email,
    content: { email: after.email, properties: after.properties },
    trigger: CRM_TRIGGER,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
    updatedAt: now,
  };
}
