import { Type } from 'typebox';

/**
 * The raw shape of the decisions sections of the workspace file (`placements`, `actions`,
 * `contact_policy`, `holdout`, `learning`, `experiments`, `decision_triggers`), part of
 * `WorkspaceFileSchema`. Descriptions
 * are written for users: they show up in error messages and API docs.
 */

/** The channels an action can be sent on, in no particular order. */
export const DECISION_CHANNELS = [
  'email',
  'sms',
  'rcs',
  'whatsapp',
  'messenger',
  'instagram',
  'push',
  'in_app',
] as const;

/** One of `DECISION_CHANNELS`. */
export type DecisionChannel = (typeof DECISION_CHANNELS)[number];

/** A time of day as `HH:MM` on a 24-hour clock, `00:00` to `23:59`. */
export const TIME_OF_DAY_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$';

const DECISION_CONDITION_ROOTS =
  'the request (context, like context.location.city) and the profile (traits, computed, scores, risks, lifecycle_stage, segments, identifiers, consent, first_seen, last_seen)';

/** A condition field's schema; `what` says what the condition decides. */
function conditionSchema(what: string) {
  return Type.Record(Type.String(), Type.Unknown(), {
    description: `A condition (docs/conditions.md) on ${DECISION_CONDITION_ROOTS}: ${what}.`,
  });
}

/** Content as declared: a mapping whose string values are Liquid templates. */
export const ContentSchema = Type.Record(Type.String(), Type.Unknown(), {
  description:
    "Content fields (title, body, text, …) whose strings are Liquid templates, like Hi {{ profile.traits.first_name | default: 'there' }}.",
});

/** An action's or a placement's `goal`: the event that means it worked, within a window of the decision. */
function goalSchema(description: string) {
  return Type.Object(
    {
      event: Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'The goal event, like Order Completed.',
      }),
      within: Type.String({
        description: 'How long after the decision the goal event counts, like 7d.',
        examples: ['1h', '1d', '7d'],
      }),
      value: Type.Optional(
        Type.String({
          minLength: 1,
          description: "The path of the goal's value in the event, like properties.revenue.",
        }),
      ),
    },
    { additionalProperties: false, description },
  );
}

/** An action's `goal`. */
export const GoalSchema = goalSchema('What counts as the action working.');

/** One entry of a placement's `variants`. */
export const VariantSchema = Type.Object(
  {
    key: Type.String({
      pattern: '^[a-z][a-z0-9_]*$',
      maxLength: 64,
      description:
        'The variant key: a lowercase letter, then lowercase letters, digits or _ (like bangalore)',
    }),
    when: Type.Optional(
      conditionSchema(
        'the variant is shown when it holds; absent means always, allowed on the last variant only',
      ),
    ),
    content: ContentSchema,
    goal: Type.Optional(
      goalSchema("Under strategy: learn, this variant's goal, in place of the placement's."),
    ),
    propensity: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1,
        description:
          'Under strategy: learn, how likely the variant is to reach its goal before any outcome is seen, 0 to 1; default 0.5.',
      }),
    ),
  },
  { additionalProperties: false },
);

/** Context paths a learned propensity is conditioned on. */
const PredictorsSchema = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
  maxItems: 8,
  description:
    'Context paths the learned propensity is conditioned on, like traits.plan, segments, context.device.type.',
});

/** One entry of `placements`. */
export const PlacementSchema = Type.Object(
  {
    key: Type.String({
      pattern: '^[a-z][a-z0-9_]*$',
      maxLength: 64,
      description:
        'The placement key: a lowercase letter, then lowercase letters, digits or _ (like home_banner)',
    }),
    description: Type.Optional(Type.String({ description: 'Where the placement is and what it is for.' })),
    format: Type.Optional(
      Type.Union([Type.Literal('html'), Type.Literal('text')], {
        description:
          'html (default): template output is HTML-escaped (`| raw` opts one output out); text: output as it is, for clients that insert content as text',
      }),
    ),
    strategy: Type.Optional(
      Type.Union([Type.Literal('first_match'), Type.Literal('learn')], {
        description:
          'first_match (default): the first variant whose `when` holds; learn: among those whose `when` holds, the one most likely to reach its goal, learned from outcomes.',
      }),
    ),
    goal: Type.Optional(goalSchema('Under strategy: learn, the goal of every variant that declares none.')),
    predictors: Type.Optional(PredictorsSchema),
    variants: Type.Array(VariantSchema, {
      minItems: 1,
      description:
        'What to show, top to bottom: under first_match the first whose `when` holds, and the last may leave out `when` to catch everyone else.',
    }),
  },
  { additionalProperties: false },
);

export const ChannelSchema = Type.Enum(DECISION_CHANNELS, { description: 'A channel an action is sent on.' });

/** One entry of an action's `context_weights`. */
export const ContextWeightSchema = Type.Object(
  {
    when: conditionSchema('the weight applies when it holds'),
    weight: Type.Number({
      description: "A multiplier of the action's priority when `when` holds, greater than 0.",
    }),
  },
  { additionalProperties: false },
);

/** One entry of `actions`. */
export const ActionSchema = Type.Object(
  {
    key: Type.String({
      pattern: '^[a-z][a-z0-9_]*$',
      maxLength: 64,
      description:
        'The action key: a lowercase letter, then lowercase letters, digits or _ (like send_checkout_reminder)',
    }),
    description: Type.Optional(Type.String({ description: 'What the action does.' })),
    channels: Type.Array(ChannelSchema, {
      minItems: 1,
      description:
        'The channels it can be sent on, in your order of preference: email, sms, rcs, whatsapp, messenger, instagram, push or in_app.',
    }),
    content: Type.Object(
      {
        email: Type.Optional(ContentSchema),
        sms: Type.Optional(ContentSchema),
        rcs: Type.Optional(ContentSchema),
        messenger: Type.Optional(ContentSchema),
        instagram: Type.Optional(ContentSchema),
        whatsapp: Type.Optional(ContentSchema),
        push: Type.Optional(ContentSchema),
        in_app: Type.Optional(ContentSchema),
      },
      {
        additionalProperties: false,
        description: 'The content per channel: one entry for each channel in `channels`, and no others.',
      },
    ),
    value: Type.Number({
      minimum: 0,
      description: 'The business value of the action succeeding, 0 or more.',
    }),
    weight: Type.Optional(
      Type.Number({ description: 'A business lever multiplying the priority; default 1.' }),
    ),
    propensity: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1,
        description: 'How likely the person is to respond, from 0 to 1; default 1.',
      }),
    ),
    eligibility: Type.Optional(conditionSchema('may this person get the action')),
    applicability: Type.Optional(conditionSchema('is the action relevant now')),
    suitability: Type.Optional(conditionSchema('is the action right for this person')),
    context_weights: Type.Optional(
      Type.Array(ContextWeightSchema, {
        description: 'Multipliers of the priority when their condition holds; default none.',
      }),
    ),
    cooldown: Type.Optional(
      Type.String({
        description: 'No repeat of this action to the same person within this long, like 24h.',
        examples: ['24h', '3d', '1w'],
      }),
    ),
    goal: Type.Optional(GoalSchema),
    predictors: Type.Optional(PredictorsSchema),
  },
  { additionalProperties: false },
);

/** The `learning` section: how actions with a goal learn their propensity. */
export const LearningSchema = Type.Object(
  {
    prior_strength: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 10_000,
        description:
          'How many observations the declared propensity is worth before outcomes are seen; default 2.',
      }),
    ),
    explore: Type.Optional(
      Type.Boolean({
        description:
          'Rank by a Thompson sample of the learned propensity (true, the default) or by its mean.',
      }),
    ),
    max_exploration: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1,
        description:
          'The share of decisions, 0 to 1, that may rank by samples (and so explore); the rest rank by means. Default 1.',
      }),
    ),
  },
  { additionalProperties: false },
);

/** One entry of `contact_policy.caps`. */
export const ContactCapSchema = Type.Object(
  {
    channel: Type.Optional(
      Type.Enum(DECISION_CHANNELS, {
        description: 'The channel capped; absent means all channels together.',
      }),
    ),
    max: Type.Integer({ minimum: 1, description: 'At most this many contacts in any `per` window.' }),
    per: Type.String({ description: 'The window, like 1d or 7d.', examples: ['12h', '1d', '7d'] }),
  },
  { additionalProperties: false },
);

/** The `contact_policy` section. */
export const ContactPolicySchema = Type.Object(
  {
    caps: Type.Optional(
      Type.Array(ContactCapSchema, {
        description: 'Caps on contacts, per channel or (without `channel`) overall.',
      }),
    ),
    suppress_after_ignored: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'After this many contacts in a row with no response, the person gets no action.',
      }),
    ),
    quiet_hours: Type.Optional(
      Type.Object(
        {
          start: Type.String({
            pattern: TIME_OF_DAY_PATTERN,
            description: 'A time of day as HH:MM on a 24-hour clock, like 21:00',
          }),
          end: Type.String({
            pattern: TIME_OF_DAY_PATTERN,
            description: 'A time of day as HH:MM on a 24-hour clock, like 09:00',
          }),
          default_timezone: Type.Optional(
            Type.String({
              minLength: 1,
              description:
                'The IANA time zone of people whose own is not known, like Asia/Kolkata; default UTC.',
            }),
          ),
        },
        {
          additionalProperties: false,
          description:
            "No sends from `start` to `end`, in the person's time zone; the window may cross midnight.",
        },
      ),
    ),
  },
  { additionalProperties: false, description: 'Limits on how often and when a person is contacted.' },
);

/**
 * One entry of `experiments`: people assigned at random, and for good, to arms over an action
 * set or over the variants of a placement.
 */
export const ExperimentSchema = Type.Object(
  {
    key: Type.String({ pattern: '^[a-z][a-z0-9_]*$', maxLength: 64, description: 'The experiment key' }),
    actions: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        description: 'The action set the arms choose from: keys of `actions`.',
      }),
    ),
    placement: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "The placement whose variants the arms choose from (instead of `actions`); the set is the arms' variants.",
      }),
    ),
    arms: Type.Array(
      Type.Object(
        {
          key: Type.String({ pattern: '^[a-z][a-z0-9_]*$', maxLength: 64 }),
          percent: Type.Number({
            exclusiveMinimum: 0,
            maximum: 100,
            description: 'The share of people in the arm.',
          }),
          action: Type.Optional(
            Type.String({
              minLength: 1,
              description:
                'The one action of the set this arm may get; without it the arm is a control and gets none of the set.',
            }),
          ),
          variant: Type.Optional(
            Type.String({
              minLength: 1,
              description:
                "Over a placement: the variant this arm is shown; without it the arm is a control and sees the placement's answer without the experiment's variants.",
            }),
          ),
        },
        { additionalProperties: false },
      ),
      { minItems: 2, description: 'The arms; their percents add up to at most 100, and one is a control.' },
    ),
    goal: GoalSchema,
    salt: Type.Optional(
      Type.String({ description: 'Changes who falls in which arm; default the experiment key.' }),
    ),
  },
  { additionalProperties: false },
);

/** The `holdout` section. */
export const HoldoutSchema = Type.Object(
  {
    percent: Type.Number({
      minimum: 0,
      maximum: 50,
      description: 'The share of profiles, 0 to 50, that get no actions: a control group.',
    }),
    salt: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'Changes which profiles fall in the group; default the workspace id.',
      }),
    ),
  },
  { additionalProperties: false, description: 'A workspace-wide control group that gets no actions.' },
);

/** One entry of `decision_triggers`. */
export const DecisionTriggerSchema = Type.Object(
  {
    event: Type.Optional(
      Type.String({ minLength: 1, description: 'The track event name that triggers a decision.' }),
    ),
    segment_entered: Type.Optional(
      Type.String({
        pattern: '^[a-z][a-z0-9_]*$',
        description: 'The key of a segment of this file: entering it triggers a decision.',
      }),
    ),
  },
  { additionalProperties: false },
);
