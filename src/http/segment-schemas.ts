import { Type } from 'typebox';
import { ErrorSchema } from './schemas.ts';

/** A segment key in a path. */
export const SegmentKeyParams = Type.Object({
  key: Type.String({ description: 'The segment key, like `high_intent_leads`' }),
});

/** A segment condition: docs/conditions.md. */
const ConditionSchema = Type.Record(Type.String(), Type.Unknown(), {
  description:
    'A condition (docs/conditions.md) on the profile (traits, computed, scores, risks, lifecycle_stage, ' +
    "segments, identifiers, consent, first_seen, last_seen), and $performed over the person's events",
});

/** The body that creates or replaces a segment, as an entry of `segments` in the workspace file. */
export const SegmentBodySchema = Type.Object({
  key: Type.String({
    description:
      'A lowercase letter, then lowercase letters, digits or _ (at most 64); on PUT, the path key when left out',
  }),
  name: Type.Optional(Type.String({ description: 'A human name for lists and dashboards' })),
  description: Type.Optional(Type.String()),
  when: ConditionSchema,
});

/** `?wait=true`: answer once the back-fill is done instead of at once. */
export const WaitQuery = Type.Object({
  wait: Type.Optional(
    Type.Boolean({ default: false, description: 'Answer 200 once every profile has been back-filled' }),
  ),
});

/** Progress of the workspace rebuild that back-fills segments; null when none is running. */
export const BackfillSchema = Type.Union(
  [
    Type.Object({
      status: Type.Literal('running'),
      done: Type.Integer({ description: 'Log positions replayed so far' }),
      total: Type.Integer({ description: 'Log positions to replay' }),
    }),
    Type.Null(),
  ],
  { description: 'The back-fill (a rebuild of every profile of the workspace) while it runs; else null' },
);

/** A segment as the API shows it. */
export const SegmentSchema = Type.Object({
  key: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  description: Type.Union([Type.String(), Type.Null()]),
  when: ConditionSchema,
  size: Type.Integer({ description: 'Profiles in the segment now' }),
});

/** Every segment of the workspace, in definition order. */
export const SegmentListSchema = Type.Object({ segments: Type.Array(SegmentSchema) });

/** One segment, with the back-fill running for its workspace. */
export const SegmentDetailSchema = Type.Object({
  key: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  description: Type.Union([Type.String(), Type.Null()]),
  when: ConditionSchema,
  size: Type.Integer({ description: 'Profiles in the segment now' }),
  backfill: BackfillSchema,
});

/** The answer to a saved segment whose back-fill runs in the background (202). */
export const SegmentAcceptedSchema = Type.Object({
  key: Type.String(),
  version: Type.Integer({ description: 'The workspace definition version that holds the change' }),
  backfill: Type.Object({
    status: Type.Literal('running'),
    done: Type.Integer(),
    total: Type.Integer(),
  }),
});

/** The answer to a saved segment once its back-fill is done (`?wait=true`). */
export const SegmentAppliedSchema = Type.Object({
  key: Type.String(),
  version: Type.Integer(),
  size: Type.Integer(),
});

/** The empty answer of a deletion. */
export const DeletedSchema = Type.Null({ description: 'Deleted (no body)' });

/** A segment's size. */
export const SegmentSizeSchema = Type.Object({ key: Type.String(), size: Type.Integer() });

/** A page of members. */
export const MembersQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  after: Type.Optional(Type.String({ description: '`next_after` of the previous page' })),
});

/** A page of a segment's members, by profile id. */
export const MembersSchema = Type.Object({
  members: Type.Array(
    Type.Object({ profile_id: Type.String(), entered_at: Type.String({ format: 'date-time' }) }),
  ),
  next_after: Type.Union([Type.String(), Type.Null()], {
    description: 'Pass as `after`; null on the last page',
  }),
});

/** The body of a preview: a draft condition. */
export const PreviewBodySchema = Type.Object({ when: ConditionSchema });

/** What a draft condition matches now. */
export const PreviewSchema = Type.Object({
  matched: Type.Integer({ description: 'Profiles the condition matches' }),
  total: Type.Integer({ description: 'Profiles tested' }),
  sample: Type.Array(Type.String(), { description: 'Up to 10 matching profile ids' }),
});

/** The segments a profile is in. */
export const ProfileSegmentsSchema = Type.Object({
  profile_id: Type.String(),
  segments: Type.Array(Type.Object({ key: Type.String(), entered_at: Type.String({ format: 'date-time' }) })),
});

/**
 * The validator of routes with a body: the handler checks the body with the workspace file's
 * rules and messages (and reads the query), so their schemas only document them.
 */
export const checkedByHandler = () => (data: unknown) => ({ value: data });

/** The schema parts shared by the routes that create or replace a segment. */
export const SaveSegmentSchema = {
  description:
    'Validated like a `segments` entry of the workspace file. Saves the workspace definition and ' +
    'back-fills every profile by replaying the workspace events: answers 202 at once (follow ' +
    '`backfill` with `GET /v1/segments/{key}`), or 200 with the size once done with `?wait=true`.',
  security: [{ adminKey: [] }],
  querystring: WaitQuery,
  body: SegmentBodySchema,
  response: { 200: SegmentAppliedSchema, 202: SegmentAcceptedSchema, 400: ErrorSchema, 409: ErrorSchema },
};

/** How a segment's history is bucketed and how much of it to read. */
export const HistoryQuery = Type.Object({
  bucket: Type.Optional(
    Type.Union([Type.Literal('hour'), Type.Literal('day')], {
      default: 'hour',
      description: 'Hours or days (UTC), the last one holding now',
    }),
  ),
  points: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 744,
      description: 'How many buckets (default 48 hours, or 30 days)',
    }),
  ),
  changes: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 200,
      default: 20,
      description: 'How many of the latest entries and exits',
    }),
  ),
});

/** A segment's size over time, and its latest entries and exits. */
export const HistorySchema = Type.Object({
  key: Type.String(),
  size: Type.Integer({ description: 'Profiles in the segment now' }),
  bucket: Type.Union([Type.Literal('hour'), Type.Literal('day')]),
  points: Type.Array(
    Type.Object({
      at: Type.String({ format: 'date-time', description: 'Start of the bucket' }),
      entries: Type.Integer({ description: 'Profiles that entered during the bucket' }),
      exits: Type.Integer({
        description: 'Profiles that left during it (merged into another profile and erased ones included)',
      }),
      size: Type.Integer({ description: 'Members at the end of the bucket (now, for the last one)' }),
    }),
    { description: 'Oldest first' },
  ),
  changes: Type.Array(
    Type.Object({
      profile_id: Type.String({ description: 'The profile it happened to (it may have been merged since)' }),
      user_id: Type.Union([Type.String(), Type.Null()]),
      change: Type.Union([Type.Literal('entered'), Type.Literal('exited')]),
      at: Type.String({ format: 'date-time' }),
    }),
    { description: 'The latest entries and exits, newest first' },
  ),
});
