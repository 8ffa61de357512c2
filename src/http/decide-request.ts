import { randomUUID } from 'node:crypto';
import { PROFILE_ID_PREFIX } from '../engine/profile-ref.ts';
import type { ErrorDetail } from '../errors.ts';
import { TailorError } from '../errors.ts';
import { isJsonObject } from '../ingest/merge-objects.ts';

/** Most placements one request may ask for. */
const MAX_PLACEMENTS = 50;

/** A decide request as the API reads it, validated. */
export interface DecideInput {
  /** References to look the person up by, in order: `user_id:…`, `anonymous_id:…`, the identifier. */
  refs: string[];
  userId?: string;
  anonymousId?: string;
  /** `type:value`; a write key's decide never looks it up. */
  identifier?: string;
  /** The identity token of `userId` (`userToken` in the body). */
  userToken?: string;
  context: Record<string, unknown>;
  placements: string[];
  actions: boolean;
  trace: boolean;
  record: boolean;
  /**
   * When the placements shown are recorded: `on_decide` (at once) or `on_view` (only once the
   * page proves each was seen, through `POST /v1/exposures` with the proof decide answers).
   */
  exposure: 'on_decide' | 'on_view';
  /** Seeds the ids of the events that record the decision (`messageId` of the request, else random). */
  messageId: string;
  writeKey?: string;
}

const FIELDS = new Set([
  'userId',
  'anonymousId',
  'identifier',
  'profileId',
  'context',
  'placements',
  'actions',
  'trace',
  'record',
  'messageId',
  'writeKey',
  'userToken',
  'exposure',
]);

/** Fields only admin calls may send: they reveal or pick profiles, or skip recording. */
const ADMIN_FIELDS = new Set(['profileId', 'trace', 'record']);

/**
 * Reads a decide body: who (`userId`, `anonymousId`, `identifier` as `type:value`, or for admin
 * calls `profileId`), the Segment `context` of the request, the `placements` to fill and whether
 * to pick an action. Defaults (`actions`, `trace`, `record`) depend on the caller and come in
 * `defaults`; `trace`, `record` and `profileId` are for admin calls only. Every problem is reported at once as INVALID_DECIDE_REQUEST with its path.
 */
export function parseDecideBody(
  body: unknown,
  defaults: { actions: boolean; trace: boolean; record: boolean; admin: boolean },
): DecideInput {
  const issues: ErrorDetail[] = [];
  const input = isJsonObject(body) ? body : {};
  if (!isJsonObject(body)) issues.push({ path: '', message: 'needs a JSON object' });
  for (const key of Object.keys(input)) {
    if (!FIELDS.has(key)) issues.push({ path: key, message: 'is not a field of a decide request' });
    else if (!defaults.admin && ADMIN_FIELDS.has(key))
      issues.push({
        path: key,
        message: 'needs the admin API: a write key gets decisions, never the profile behind them',
      });
  }
  const text = (key: string): string | undefined => {
    const value = input[key];
    if (value === undefined) return undefined;
    if (typeof value === 'string' && value.trim() !== '') return value;
    issues.push({ path: key, message: 'needs a non-empty string' });
    return undefined;
  };
  const flag = (key: string, fallback: boolean): boolean => {
    const value = input[key];
    if (value === undefined) return fallback;
    if (typeof value === 'boolean') return value;
    issues.push({ path: key, message: 'needs true or false' });
    return fallback;
  };
  const userId = text('userId');
  const anonymousId = text('anonymousId');
  const identifier = text('identifier');
  const profileId = defaults.admin ? text('profileId') : undefined;
  if (identifier !== undefined && !/^[a-z][a-z0-9_]*:./.test(identifier))
    issues.push({ path: 'identifier', message: 'needs `type:value`, like `email:ada@example.com`' });
  if (profileId !== undefined && !profileId.startsWith(PROFILE_ID_PREFIX))
    issues.push({ path: 'profileId', message: `needs a profile id (\`${PROFILE_ID_PREFIX}…\`)` });
  const context = input['context'] ?? {};
  if (!isJsonObject(context)) issues.push({ path: 'context', message: 'needs an object (Segment context)' });
  const placements = input['placements'] ?? [];
  if (!Array.isArray(placements) || placements.some((key) => typeof key !== 'string'))
    issues.push({ path: 'placements', message: 'needs an array of placement keys' });
  else if (placements.length > MAX_PLACEMENTS)
    issues.push({ path: 'placements', message: `may name at most ${MAX_PLACEMENTS} placements` });
  const messageId = text('messageId') ?? randomUUID();
  const writeKey = text('writeKey');
  const userToken = text('userToken');
  const exposure = input['exposure'] ?? 'on_decide';
  if (exposure !== 'on_decide' && exposure !== 'on_view')
    issues.push({ path: 'exposure', message: 'needs `on_decide` or `on_view`' });
  const result: DecideInput = {
    refs: [
      ...(profileId === undefined ? [] : [profileId]),
      ...(userId === undefined ? [] : [`user_id:${userId}`]),
      ...(anonymousId === undefined ? [] : [`anonymous_id:${anonymousId}`]),
      ...(identifier === undefined ? [] : [identifier]),
    ],
    context: isJsonObject(context) ? context : {},
    placements: Array.isArray(placements) ? placements.filter((key) => typeof key === 'string') : [],
    actions: flag('actions', defaults.actions),
    trace: flag('trace', defaults.trace),
    record: flag('record', defaults.record),
    exposure: exposure === 'on_view' ? 'on_view' : 'on_decide',
    messageId: `dcd-${messageId}`,
    ...(userId === undefined ? {} : { userId }),
    ...(anonymousId === undefined ? {} : { anonymousId }),
    ...(identifier === undefined ? {} : { identifier }),
    ...(userToken === undefined ? {} : { userToken }),
    ...(writeKey === undefined ? {} : { writeKey }),
  };
  if (result.placements.length === 0 && !result.actions)
    issues.push({ path: 'placements', message: 'name at least one placement, or ask for `actions: true`' });
  const first = issues[0];
  if (first !== undefined) {
    const where = first.path === '' ? 'the body' : `\`${first.path}\``;
    throw new TailorError('INVALID_DECIDE_REQUEST', `${where} ${first.message}`, issues);
  }
  return result;
}
