import { Type } from 'typebox';

/** Every error answer: a stable code, a message that says what to fix, and field details. */
export const ErrorSchema = Type.Object(
  {
    code: Type.String({ description: 'Stable error code from the catalogue (docs/errors.md)' }),
    message: Type.String(),
    details: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { $id: 'Error' },
);

/** One event of a batch that was not accepted, and why. */
export const RejectionSchema = Type.Object({
  index: Type.Integer({ description: 'Position in `batch` (0 for single calls)' }),
  code: Type.String(),
  message: Type.String(),
  path: Type.String({ description: 'JSON path of the fault, e.g. `batch[3].event`' }),
});

/** The answer to a tracking call: Segment's `{ success: true }` plus what happened to each event. */
export const TrackingReplySchema = Type.Object({
  success: Type.Boolean(),
  accepted: Type.Integer({ description: 'Events appended to the log (durable)' }),
  duplicates: Type.Integer({ description: 'Events whose messageId was already logged' }),
  rejected: Type.Array(RejectionSchema),
});

/** A 400 from the tracking API: an error, and for a batch with no valid event, every rejection. */
export const BatchRejectedSchema = Type.Object({
  code: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  success: Type.Optional(Type.Boolean()),
  accepted: Type.Optional(Type.Integer()),
  duplicates: Type.Optional(Type.Integer()),
  rejected: Type.Optional(Type.Array(RejectionSchema)),
});

/** A profile reference in a path: a profile id or an identifier `type:value`, URL-encoded. */
export const ProfileRefParams = Type.Object({
  ref: Type.String({ description: 'Profile id (`prf_…`) or identifier `type:value`, e.g. `email:a@b.com`' }),
});

/** The unified profile as the API shows it; later stages add fields beside these. */
export const ProfileSchema = Type.Object(
  {
    id: Type.String(),
    identifiers: Type.Record(Type.String(), Type.Array(Type.String())),
    traits: Type.Record(Type.String(), Type.Unknown()),
    computed: Type.Record(Type.String(), Type.Unknown()),
    scores: Type.Record(
      Type.String(),
      Type.Object({
        value: Type.Number({
          description: 'Points decayed to the time of the request, rounded to two decimals',
        }),
        label: Type.Union([Type.String(), Type.Null()], {
          description: 'The highest threshold the value reaches; null below every threshold',
        }),
      }),
    ),
    lifecycle_stage: Type.Union([Type.String(), Type.Null()], {
      description:
        'The first lifecycle stage whose condition holds at the time of the request; null when none does',
    }),
    segments: Type.Record(Type.String(), Type.Object({ entered_at: Type.String({ format: 'date-time' }) }), {
      description: 'The segments the profile is in, by key, with when it entered each',
    }),
    risks: Type.Record(
      Type.String(),
      Type.Object({
        at: Type.String({ format: 'date-time', description: 'When the risk was set' }),
        since: Type.String({ format: 'date-time', description: 'When the pattern that set it began' }),
      }),
      { description: 'Risks set by detectors (checkout_abandonment), cleared by the completing event' },
    ),
    consent: Type.Record(Type.String(), Type.Unknown()),
    first_seen: Type.String({ format: 'date-time' }),
    last_seen: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: true },
);

/** A logged event as the timeline and export show it. */
export const LoggedEventSchema = Type.Object({}, { additionalProperties: true });
