import { type Static, Type } from 'typebox';
import { EVENT_TYPES } from '../ingest/event.ts';
import { AGGREGATES } from '../profile/computed/computed-trait.ts';
import { ChannelsSchema } from './channels-schema.ts';
import {
  ActionSchema,
  ContactPolicySchema,
  DecisionTriggerSchema,
  ExperimentSchema,
  HoldoutSchema,
  LearningSchema,
  PlacementSchema,
} from './decisions-schema.ts';
import { JourneySchema } from './journeys-schema.ts';

/**
 * The raw shape of the workspace file (`tailor.yaml`) and of the same document sent as JSON to
 * the admin API. This one schema drives validation (with the friendly messages of
 * `collectSchemaIssues`), the static type below and the OpenAPI description, so descriptions
 * are written for users: they show up in error messages and API docs.
 */

const IdentifierTypeRuleSchema = Type.Object(
  {
    priority: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          'Lower numbers win: when a merge would break a limit, the highest numbers are dropped first.',
      }),
    ),
    limit: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
        description: 'How many values of this type one profile may hold; `null` means no limit.',
      }),
    ),
  },
  { additionalProperties: false },
);

const IdentitySchema = Type.Object(
  {
    types: Type.Optional(
      Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]*$' }), IdentifierTypeRuleSchema, {
        additionalProperties: false,
        description:
          'Rules per identifier type (names of lowercase letters, digits and _), merged field by field over the built-in defaults.',
      }),
    ),
    default_rule: Type.Optional(
      Type.Object(IdentifierTypeRuleSchema.properties, {
        additionalProperties: false,
        description:
          'Rule for identifier types not listed in `types`, merged over the default (50, limit 5).',
      }),
    ),
    blocked_values: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description:
          'Values that never become identifiers, added to the built-in list (null, anonymous, 0, …).',
      }),
    ),
    default_country: Type.Optional(
      Type.String({
        pattern: '^[A-Z]{2}$',
        description: 'An ISO 3166 alpha-2 country code in capitals, like IN or US',
        examples: ['IN'],
      }),
    ),
    verification_secret: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'The identity-verification secret: `POST /v1/decide` with a write key personalizes for a `userId` only with its `userToken`, the hex HMAC-SHA256 of the userId under this secret, made by your server. Give it as a reference to an environment variable named TAILOR_SECRET_…, so it is read on use and never stored.',
      }),
    ),
  },
  { additionalProperties: false, description: 'Identity resolution settings.' },
);

const ScalarSchema = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);
const ComparableSchema = Type.Union([Type.Number(), Type.String()]);

/** The comparison operators a `where` filter accepts (the `{ $gt: 0 }` form). */
export const FilterOperatorsSchema = Type.Object(
  {
    $eq: Type.Optional(ScalarSchema),
    $ne: Type.Optional(ScalarSchema),
    $in: Type.Optional(Type.Array(ScalarSchema)),
    $nin: Type.Optional(Type.Array(ScalarSchema)),
    $gt: Type.Optional(ComparableSchema),
    $gte: Type.Optional(ComparableSchema),
    $lt: Type.Optional(ComparableSchema),
    $lte: Type.Optional(ComparableSchema),
    $exists: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

/** One `where` entry: a bare value means equality, an object holds operators. */
export const FilterOperandSchema = Type.Union([
  Type.String(),
  Type.Number(),
  Type.Boolean(),
  Type.Null(),
  FilterOperatorsSchema,
]);

/** One entry of `computed_traits`. */
export const ComputedTraitSchema = Type.Object(
  {
    key: Type.String({
      pattern: '^[a-z][a-z0-9_]*$',
      maxLength: 64,
      description:
        'The trait name: a lowercase letter, then lowercase letters, digits or _ (like lifetime_value)',
    }),
    aggregate: Type.Enum(AGGREGATES, { description: 'What to keep over the matching events.' }),
    event_types: Type.Optional(
      Type.Array(Type.Enum(EVENT_TYPES), {
        minItems: 1,
        description: 'Event types that count; default [track].',
      }),
    ),
    events: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        description: 'Track event names (or page/screen names) that count; absent means any.',
      }),
    ),
    property: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'Dotted path into the event of the value to aggregate; every aggregate but count needs one.',
        examples: ['properties.revenue'],
      }),
    ),
    where: Type.Optional(
      Type.Record(Type.String({ minLength: 1 }), FilterOperandSchema, {
        description: 'Property filters, all of which must hold: dotted path → value or { $operator: value }.',
      }),
    ),
    window: Type.Optional(
      Type.String({
        description: 'Only events from this long ago count, like 30d; absent means all time.',
        examples: ['45s', '30m', '12h', '7d', '2w'],
      }),
    ),
  },
  { additionalProperties: false },
);

/** One entry of a score's `rules`: which events earn how many points. */
export const ScoreRuleSchema = Type.Object(
  {
    event: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'The track event name (or page/screen name) that earns the points; absent means any.',
      }),
    ),
    event_types: Type.Optional(
      Type.Array(Type.Enum(EVENT_TYPES), {
        minItems: 1,
        description: 'Event types that earn the points; default [track].',
      }),
    ),
    where: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description:
          'A condition (docs/conditions.md) on event, properties, context and the profile (traits, computed, scores, …).',
      }),
    ),
    points: Type.Number({ description: 'Points the event earns; negative points take points away.' }),
  },
  { additionalProperties: false },
);

/** One entry of `scores`. */
export const ScoreSchema = Type.Object(
  {
    key: Type.String({
      pattern: '^[a-z][a-z0-9_]*$',
      maxLength: 64,
      description: 'The score name: a lowercase letter, then lowercase letters, digits or _ (like intent)',
    }),
    half_life: Type.Optional(
      Type.String({
        description: 'The value halves every this long without new points, like 7d; absent means no decay.',
        examples: ['12h', '7d', '2w'],
      }),
    ),
    min: Type.Optional(
      Type.Number({ description: 'The value never reads below this; absent means no bound.' }),
    ),
    max: Type.Optional(
      Type.Number({ description: 'The value never reads above this; absent means no bound.' }),
    ),
    rules: Type.Array(ScoreRuleSchema, { minItems: 1, description: 'Which events earn how many points.' }),
    labels: Type.Optional(
      Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]*$' }), Type.Number(), {
        additionalProperties: false,
        description:
          'Label name → threshold: a value earns the highest threshold it reaches, and no label below all of them.',
      }),
    ),
  },
  { additionalProperties: false },
);

/** One entry of `lifecycle.stages`. */
export const LifecycleStageSchema = Type.Object(
  {
    key: Type.String({
      pattern: '^[a-z][a-z0-9_]*$',
      maxLength: 64,
      description:
        'The stage name: a lowercase letter, then lowercase letters, digits or _ (like high_intent_lead)',
    }),
    when: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description:
          'A condition (docs/conditions.md) on the profile (traits, computed, scores, identifiers, consent, first_seen, last_seen); absent means everyone, allowed on the last stage only.',
      }),
    ),
  },
  { additionalProperties: false },
);

/** The `lifecycle` section: ordered stages, the first whose condition holds being the person's stage. */
export const LifecycleSchema = Type.Object(
  {
    stages: Type.Array(LifecycleStageSchema, {
      minItems: 1,
      description:
        'Stages, first match wins, top to bottom; the last may leave out `when` to catch everyone else.',
    }),
  },
  {
    additionalProperties: false,
    description: 'Lifecycle stages, read from the profile at the time of the request.',
  },
);

/** One entry of `segments`. */
export const SegmentSchema = Type.Object(
  {
    key: Type.String({
      pattern: '^[a-z][a-z0-9_]*$',
      maxLength: 64,
      description:
        'The segment key: a lowercase letter, then lowercase letters, digits or _ (like high_intent_leads)',
    }),
    name: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'A human name for lists and dashboards.' }),
    ),
    description: Type.Optional(Type.String({ description: 'What the segment is for.' })),
    when: Type.Record(Type.String(), Type.Unknown(), {
      description:
        "A condition (docs/conditions.md) on the profile (traits, computed, scores, risks, lifecycle_stage, segments, identifiers, consent, first_seen, last_seen), and $performed over the person's events.",
    }),
  },
  { additionalProperties: false },
);

/** One entry of `detectors`: a risk set when an `after` event is not followed by an `unless` event in time. */
export const DetectorSchema = Type.Object(
  {
    key: Type.String({
      pattern: '^[a-z][a-z0-9_]*$',
      maxLength: 64,
      description:
        'The risk key: a lowercase letter, then lowercase letters, digits or _ (like checkout_abandonment)',
    }),
    after: Type.String({
      minLength: 1,
      description: 'The track event name that starts the wait, like Checkout Started, or * for any event.',
    }),
    where: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description:
          'A condition (docs/conditions.md) on the starting event (event, properties, context) and the profile (traits, computed, scores, …).',
      }),
    ),
    unless: Type.Union(
      [
        Type.String({ minLength: 1 }),
        Type.Array(Type.String({ minLength: 1, description: 'A track event name, or * for any event.' }), {
          minItems: 1,
        }),
      ],
      {
        description:
          'The track event name, or a list of names, that completes the pattern and clears the risk, like Order Completed; * means any event.',
      },
    ),
    within: Type.String({
      description: 'How long to wait for an `unless` event, like 30m.',
      examples: ['30m', '2h', '3d'],
    }),
    emit: Type.String({
      minLength: 1,
      description: 'The event recorded when the risk is set, like Checkout Abandoned.',
    }),
  },
  { additionalProperties: false },
);

/** The whole workspace document. */
export const WorkspaceFileSchema = Type.Object(
  {
    workspace: Type.Object(
      {
        id: Type.String({
          pattern: '^[a-z0-9_-]{1,64}$',
          description: 'A stable id of 1 to 64 lowercase letters, digits, _ or - (like demo)',
        }),
        name: Type.String({ minLength: 1, maxLength: 200, description: 'The name people see.' }),
      },
      { additionalProperties: false },
    ),
    identity: Type.Optional(IdentitySchema),
    profile: Type.Optional(
      Type.Object(
        {
          recent_events: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: 1000,
              default: 20,
              description: 'How many recent events a profile keeps.',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    computed_traits: Type.Optional(
      Type.Array(ComputedTraitSchema, {
        description: 'Aggregates over events, kept up to date on every event.',
      }),
    ),
    scores: Type.Optional(
      Type.Array(ScoreSchema, {
        description: 'Points models with decay (intent, engagement), kept up to date on every event.',
      }),
    ),
    lifecycle: Type.Optional(LifecycleSchema),
    segments: Type.Optional(
      Type.Array(SegmentSchema, {
        description: 'Audiences whose membership is kept current on every event and when a window runs out.',
      }),
    ),
    detectors: Type.Optional(
      Type.Array(DetectorSchema, {
        description: 'Risk detectors: an event not followed by another in time sets a risk on the profile.',
      }),
    ),
    placements: Type.Optional(
      Type.Array(PlacementSchema, {
        description:
          'Slots on a page, email or app screen, each with variants chosen per person and request.',
      }),
    ),
    actions: Type.Optional(
      Type.Array(ActionSchema, { description: 'What next-best-action arbitration can choose to send.' }),
    ),
    contact_policy: Type.Optional(ContactPolicySchema),
    holdout: Type.Optional(HoldoutSchema),
    learning: Type.Optional(LearningSchema),
    experiments: Type.Optional(
      Type.Array(ExperimentSchema, {
        description:
          'Random, stable assignment of people to arms (one a control) over a set of actions or the variants of a placement.',
      }),
    ),
    decision_triggers: Type.Optional(
      Type.Array(DecisionTriggerSchema, {
        description: 'Events and segment entries that trigger a decision with no request.',
      }),
    ),
    journeys: Type.Optional(
      Type.Array(JourneySchema, {
        description: 'Multi-step flows a person goes through: decide, wait, branch, send, update, exit.',
      }),
    ),
    channels: Type.Optional(ChannelsSchema),
  },
  { additionalProperties: false, description: 'A Tailor workspace: its id and its definitions.' },
);

/** The workspace document as written (snake_case), after validation. */
export type WorkspaceFile = Static<typeof WorkspaceFileSchema>;
