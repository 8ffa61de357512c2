import { Type } from 'typebox';
import { ChannelSchema, ContentSchema, TIME_OF_DAY_PATTERN } from './decisions-schema.ts';

/**
 * The raw shape of the `journeys` section of the workspace file, part of `WorkspaceFileSchema`.
 * A step is one mapping with its `key` and the field of its kind; that it holds exactly one
 * kind is checked by `collectJourneyIssues`, which says so more clearly than a union could.
 * Descriptions are written for users: they show up in error messages and API docs.
 */

/** The fields that give a step its kind, one per step, in the order the docs list them. */
export const JOURNEY_STEP_KINDS = [
  'decide',
  'wait',
  'wait_until',
  'wait_for',
  'branch',
  'send',
  'update',
  'audience',
  'exit',
] as const;

/** One of `JOURNEY_STEP_KINDS`. */
export type JourneyStepKind = (typeof JOURNEY_STEP_KINDS)[number];

/** The step kinds that wait, which a loop of steps must go through. */
export const JOURNEY_WAIT_KINDS: readonly JourneyStepKind[] = ['wait', 'wait_until', 'wait_for'];

/** A reference to another step of the same journey, by key. */
function stepReferenceSchema(description: string) {
  return Type.String({ minLength: 1, description });
}

/** A journey's `trigger`: exactly one of its fields (checked by `collectJourneyIssues`). */
export const JourneyTriggerSchema = Type.Object(
  {
    event: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'The track event name that starts a run, like Checkout Abandoned.',
      }),
    ),
    segment_entered: Type.Optional(
      Type.String({
        pattern: '^[a-z][a-z0-9_]*$',
        description: 'The key of a segment of this file: entering it starts a run.',
      }),
    ),
    segment_exited: Type.Optional(
      Type.String({
        pattern: '^[a-z][a-z0-9_]*$',
        description: 'The key of a segment of this file: leaving it starts a run.',
      }),
    ),
    decision: Type.Optional(
      Type.String({
        pattern: '^[a-z][a-z0-9_]*$',
        description: 'The key of an action of this file: a decision choosing it for the person starts a run.',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'What starts a run: one of `event`, `segment_entered`, `segment_exited` or `decision`.',
  },
);

/** A journey's `reentry`: `once`, `always` or `{ after: <duration> }`. */
export const ReentrySchema = Type.Union(
  [
    Type.Enum(['once', 'always'], { type: 'string' }),
    Type.Object(
      {
        after: Type.String({
          description: 'A person may start again this long after their last start, like 7d.',
          examples: ['1d', '7d', '2w'],
        }),
      },
      { additionalProperties: false },
    ),
  ],
  {
    description:
      'Whether a person may start the journey again: once (never again, the default), always (once their run ended) or { after: 7d }.',
  },
);

/** One entry of a journey's `steps`: its key and one of the kinds of `JOURNEY_STEP_KINDS`. */
export const JourneyStepSchema = Type.Object(
  {
    key: Type.String({
      pattern: '^[a-z][a-z0-9_]*$',
      maxLength: 64,
      description: 'The step key: a lowercase letter, then lowercase letters, digits or _ (like wait_a_day)',
    }),
    decide: Type.Optional(
      Type.Boolean({
        description: 'true: ask next-best-action arbitration and send what it decides, or nothing.',
      }),
    ),
    wait: Type.Optional(
      Type.String({ description: 'Wait this long, like 1d.', examples: ['30m', '1d', '1w'] }),
    ),
    wait_until: Type.Optional(
      Type.String({
        pattern: TIME_OF_DAY_PATTERN,
        description:
          "Wait until the person's clock next shows this time of day, as HH:MM on a 24-hour clock, like 10:00",
      }),
    ),
    wait_for: Type.Optional(
      Type.Object(
        {
          event: Type.String({ minLength: 1, description: 'The track event name to wait for.' }),
          timeout: Type.String({
            description: 'How long to wait for it, like 2d.',
            examples: ['1h', '2d', '1w'],
          }),
          on_timeout: Type.Optional(
            stepReferenceSchema('The key of the step to go to when it does not come; default: exit.'),
          ),
        },
        {
          additionalProperties: false,
          description:
            'Wait for an event: go on with the next step when it comes, or to `on_timeout` after `timeout`.',
        },
      ),
    ),
    branch: Type.Optional(
      Type.Object(
        {
          when: Type.Record(Type.String(), Type.Unknown(), {
            description:
              'A condition (docs/conditions.md) on the profile (traits, computed, scores, risks, lifecycle_stage, segments, identifiers, consent, first_seen, last_seen).',
          }),
          // biome-ignore lint/suspicious/noThenProperty: a branch's `then` is the workspace file's word, not a thenable
          then: stepReferenceSchema('The key of the step to go to when `when` holds.'),
          else: Type.Optional(
            stepReferenceSchema('The key of the step to go to when it does not; default: the next step.'),
          ),
        },
        {
          additionalProperties: false,
          description: 'Go to `then` when the condition holds on the profile, else to `else`.',
        },
      ),
    ),
    send: Type.Optional(
      Type.Union(
        [
          Type.String({
            pattern: '^[a-z][a-z0-9_]*$',
            description: 'The key of an action of this file to send, like send_checkout_reminder',
          }),
          Type.Object(
            {
              channel: ChannelSchema,
              content: ContentSchema,
            },
            {
              additionalProperties: false,
              description:
                'A message written here: its channel and its content, as an action gives content for that channel.',
            },
          ),
        ],
        {
          description:
            'What to send: an action of this file (its key), or `{ channel, content }` for a message written in the step.',
        },
      ),
    ),
    update: Type.Optional(
      Type.Object(
        {
          traits: Type.Record(Type.String({ minLength: 1 }), Type.Unknown(), {
            minProperties: 1,
            description: 'Trait name → value to set on the profile.',
          }),
        },
        { additionalProperties: false, description: 'Set traits on the profile.' },
      ),
    ),
    audience: Type.Optional(
      Type.Object(
        {
          destination: Type.String({
            pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
            description:
              'A list named in channels.meta_audiences.lists or channels.google_customer_match.lists (on each channel that names it)',
          }),
          action: Type.Union([Type.Literal('add'), Type.Literal('remove')], {
            description: 'add the person to the list, or remove them from it',
          }),
        },
        {
          additionalProperties: false,
          description:
            'Add the person to an ad platform list, or remove them from it, through the outbox as segment audiences are (adds need advertising consent).',
        },
      ),
    ),
    exit: Type.Optional(Type.Boolean({ description: 'true: end the run here.' })),
  },
  { additionalProperties: false },
);

/** One entry of `journeys`. */
export const JourneySchema = Type.Object(
  {
    key: Type.String({
      pattern: '^[a-z][a-z0-9_]*$',
      maxLength: 64,
      description:
        'The journey key: a lowercase letter, then lowercase letters, digits or _ (like checkout_recovery)',
    }),
    name: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'A human name for lists and dashboards.' }),
    ),
    trigger: JourneyTriggerSchema,
    reentry: Type.Optional(ReentrySchema),
    max_active: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100,
        description:
          'How many runs one person may have in progress at once (default 1): more follows each order or booking in its own run.',
      }),
    ),
    goal: Type.Optional(
      Type.Object(
        {
          event: Type.String({
            minLength: 1,
            description: 'The track event name that ends a run early as converted, like Order Completed.',
          }),
        },
        { additionalProperties: false, description: 'An event that ends a run early, as converted.' },
      ),
    ),
    steps: Type.Array(JourneyStepSchema, {
      minItems: 1,
      description: 'What a run does, top to bottom, unless a step names the step to go to.',
    }),
  },
  { additionalProperties: false },
);
