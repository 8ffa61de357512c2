import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { resolveSecret } from '../../activate/resolve-secret.ts';
import type { PlacementDecision } from '../../decide/decide-placements.ts';
import type { CompiledWorkspace } from '../../engine/compiled-workspace.ts';
import {
  type DecideResult,
  decideFor,
  decisionEvents,
  decisionExposures,
  profileIdentity,
  type RecordIdentity,
} from '../../engine/decide-for.ts';
import type { Engine } from '../../engine/engine.ts';
import { TailorError } from '../../errors.ts';
import { verifyUserToken } from '../../identity/user-token.ts';
import type { ProfileState } from '../../profile/profile.ts';
import type { ExposureRow } from '../../store/ports/exposure-log.ts';
import { adminWorkspace } from '../admin-auth.ts';
import { basicAuthKey } from '../credentials.ts';
import { type DecideInput, parseDecideBody } from '../decide-request.ts';
import type { ExposureProofs } from '../exposure-proof.ts';
import type { KeyRing } from '../key-ring.ts';
import { ErrorSchema, ProfileRefParams } from '../schemas.ts';

const Anything = Type.Record(Type.String(), Type.Unknown());

const DecideBodySchema = Type.Object(
  {
    userId: Type.Optional(Type.String({ description: 'The person, as sent in Segment calls' })),
    anonymousId: Type.Optional(Type.String({ description: 'The browser or device id, when not logged in' })),
    identifier: Type.Optional(
      Type.String({ description: 'Any identifier as `type:value` (`email:ada@example.com`)' }),
    ),
    context: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'The Segment context of the request: location, campaign, page, timezone…',
      }),
    ),
    placements: Type.Optional(
      Type.Array(Type.String(), { description: 'Placement keys to fill', maxItems: 50 }),
    ),
    actions: Type.Optional(Type.Boolean({ description: 'Also decide the next best action' })),
    messageId: Type.Optional(
      Type.String({ description: 'Seeds the ids of the events that record the decision' }),
    ),
    writeKey: Type.Optional(Type.String({ description: 'The write key, when not sent as HTTP Basic auth' })),
    exposure: Type.Optional(
      Type.Union([Type.Literal('on_decide'), Type.Literal('on_view')], {
        description:
          'When the placements shown are recorded: at once (`on_decide`, the default), or only once seen ' +
          '(`on_view`): each placement then carries an `exposure` proof for `POST /v1/exposures`',
      }),
    ),
    userToken: Type.Optional(
      Type.String({
        description:
          "The `userId`'s identity token (hex HMAC-SHA256 of the userId under the workspace's `identity.verification_secret`), made by your server; or the `X-Tailor-User-Token` header",
      }),
    ),
  },
  { additionalProperties: false },
);

const AdminDecideBodySchema = Type.Object(
  {
    context: Type.Optional(Anything),
    placements: Type.Optional(Type.Array(Type.String(), { maxItems: 50 })),
    actions: Type.Optional(Type.Boolean({ default: true })),
    trace: Type.Optional(Type.Boolean({ default: true, description: 'Explain the decision' })),
    record: Type.Optional(
      Type.Boolean({
        default: true,
        description:
          'Record the placements shown in the exposure log and the action as a Decision Made event',
      }),
    ),
  },
  { additionalProperties: false },
);

const SimulateBodySchema = Type.Object(
  {
    profileId: Type.Optional(Type.String()),
    userId: Type.Optional(Type.String()),
    anonymousId: Type.Optional(Type.String()),
    identifier: Type.Optional(Type.String()),
    context: Type.Optional(Anything),
    placements: Type.Optional(Type.Array(Type.String(), { maxItems: 50 })),
    actions: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);

const DecisionSchema = Type.Object(
  {
    profile_id: Type.Union([Type.String(), Type.Null()]),
    placements: Type.Record(
      Type.String(),
      Type.Object(
        { variant: Type.Union([Type.String(), Type.Null()]), content: Type.Union([Anything, Type.Null()]) },
        { additionalProperties: true },
      ),
    ),
    action: Type.Optional(
      Type.Object(
        {
          outcome: Type.Union([Type.Literal('action'), Type.Literal('no_action'), Type.Literal('held_out')]),
          action: Type.Union([Type.String(), Type.Null()]),
          channel: Type.Union([Type.String(), Type.Null()]),
          timing: Type.Union([Type.String(), Type.Null()]),
          send_at: Type.Union([Type.String(), Type.Null()]),
          content: Type.Union([Anything, Type.Null()]),
          reason: Type.Union([Type.String(), Type.Null()]),
          context: Anything,
          decided_at: Type.String(),
        },
        { additionalProperties: true },
      ),
    ),
  },
  { additionalProperties: true },
);

/** The header a page may send the userId's identity token in, instead of `userToken` in the body. */
const USER_TOKEN_HEADER = 'x-tailor-user-token';

/**
 * The request's userId when its identity token is valid under the workspace's verification
 * secret; undefined without a token, without a secret (or with its variable unset), or with a
 * token that does not match.
 */
function verifiedUserId(input: {
  workspace: CompiledWorkspace | undefined;
  input: DecideInput;
  token: string | undefined;
  env: NodeJS.ProcessEnv;
}): string | undefined {
  const { userId } = input.input;
  const ref = input.workspace?.definition.identityVerification?.secret;
  if (userId === undefined || input.token === undefined || ref === undefined) return undefined;
  let secret: string;
  try {
    secret = resolveSecret(ref, input.env, 'identity.verification_secret');
  } catch {
    return undefined;
  }
  return verifyUserToken({ secret, userId, token: input.token }) ? userId : undefined;
}

/** The answer with each exposure's proof on its placement, for the page to send back once seen. */
function withProofs(result: DecideResult, exposures: ExposureRow[], proofs: ExposureProofs): DecideResult {
  const placements: Record<string, PlacementDecision & { exposure?: string }> = { ...result.placements };
  for (const row of exposures) {
    const placement = placements[row.placement];
    if (placement !== undefined) placements[row.placement] = { ...placement, exposure: proofs.sign(row) };
  }
  return { ...result, placements };
}

/** Skips Fastify's body validation: `parseDecideBody` checks with Tailor's codes and messages. */
const checkedByHandler = () => (data: unknown) => ({ value: data });

/**
 * The decide API: `POST /v1/decide` (write key, callable from a browser) fills placements and
 * picks the next best action for a person or an unknown visitor; the admin
 * `POST /v1/profiles/{ref}/decide` does the same for a known profile with the trace; and
 * `POST /v1/decide/simulate` answers "what would they get now, in this context" without
 * recording anything.
 */
export async function decideRoutes(
  app: FastifyInstance,
  options: { engine: Engine; keys: KeyRing; proofs: ExposureProofs; env?: NodeJS.ProcessEnv },
): Promise<void> {
  const { engine, keys, proofs } = options;
  const env = options.env ?? process.env;

  /**
   * Decides for the person (or nobody), records it when asked (exposures for the placements
   * shown, a `Decision Made` event for an action), and shapes the answer. It is recorded under `recordAs` when given (a write key's verified ids only), else under the ids
   * the request names or the profile's own.
   */
  function decide(
    workspaceId: string,
    profile: ProfileState | undefined,
    input: DecideInput,
    recordAs?: RecordIdentity,
  ): DecideResult {
    const workspace = engine.workspace(workspaceId);
    if (workspace === undefined) throw new TailorError('NOT_FOUND');
    const now = engine.clock();
    const result = decideFor({
      workspace,
      profile,
      request: {
        placements: input.placements,
        actions: input.actions,
        context: input.context,
        trace: input.trace,
      },
      now,
      model: engine.learning.model(workspaceId),
      seed: input.messageId,
    });
    const identity =
      recordAs !== undefined
        ? recordAs.userId === undefined && recordAs.anonymousId === undefined
          ? undefined
          : recordAs
        : input.userId !== undefined || input.anonymousId !== undefined
          ? {
              ...(input.userId === undefined ? {} : { userId: input.userId }),
              ...(input.anonymousId === undefined ? {} : { anonymousId: input.anonymousId }),
            }
          : profile === undefined
            ? undefined
            : profileIdentity(profile);
    if (input.record && identity !== undefined) {
      const messageId = input.messageId;
      const exposures = decisionExposures({ workspaceId, result, identity, messageId, now });
      engine.record(workspaceId, decisionEvents({ result, identity, messageId, now }));
      if (input.exposure === 'on_decide') engine.recordExposures(exposures);
      else return withProofs(result, exposures, proofs);
    }
    return result;
  }

  app.post(
    '/v1/decide',
    {
      schema: {
        tags: ['decide'],
        summary: 'Fill placements and pick the next best action for a person or a visitor',
        description:
          'Personalizes for the caller: its own `anonymousId`, or a `userId` with a valid identity token ' +
          '(`userToken` or `X-Tailor-User-Token`). Anything else (an `identifier`, a userId without its ' +
          'token) is never looked up: the answer is the one the request context alone gives, with ' +
          '`profile_id: null` (a visitor from Bangalore still sees the Bangalore banner). Every placement ' +
          'shown is recorded in the exposure log and every action decided as a `Decision Made` event, ' +
          'under the verified ids only.',
        security: [{ writeKey: [] }],
        body: DecideBodySchema,
        response: { 200: DecisionSchema, 400: ErrorSchema, 401: ErrorSchema },
      },
      validatorCompiler: checkedByHandler,
    },
    async (request) => {
      const input = parseDecideBody(request.body, {
        actions: false,
        trace: false,
        record: true,
        admin: false,
      });
      const key = basicAuthKey(request.headers.authorization) ?? input.writeKey;
      if (key === undefined) throw new TailorError('MISSING_WRITE_KEY');
      const grant = await keys.lookup(key, engine.clock());
      if (grant === undefined || grant.kind !== 'write') throw new TailorError('UNKNOWN_WRITE_KEY');
      const header = request.headers[USER_TOKEN_HEADER];
      const token = input.userToken ?? (typeof header === 'string' && header !== '' ? header : undefined);
      const userId = verifiedUserId({ workspace: engine.workspace(grant.workspaceId), input, token, env });
      // Only ids the caller proved are looked up: an identifier or someone else's userId never is,
      // so the answer cannot tell whether that person exists.
      const recordAs: RecordIdentity = {
        ...(userId === undefined ? {} : { userId }),
        ...(input.anonymousId === undefined ? {} : { anonymousId: input.anonymousId }),
      };
      const refs = [
        ...(userId === undefined ? [] : [`user_id:${userId}`]),
        ...(input.anonymousId === undefined ? [] : [`anonymous_id:${input.anonymousId}`]),
      ];
      const profile = refs.length === 0 ? undefined : await engine.reads.peekProfile(grant.workspaceId, refs);
      return decide(grant.workspaceId, profile, input, recordAs);
    },
  );

  app.post(
    '/v1/profiles/:ref/decide',
    {
      schema: {
        tags: ['decide'],
        summary: "Decide for a known profile, with the decision's trace",
        security: [{ adminKey: [] }],
        params: ProfileRefParams,
        body: AdminDecideBodySchema,
        response: { 200: DecisionSchema, 400: ErrorSchema, 404: ErrorSchema },
      },
      validatorCompiler: checkedByHandler,
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const input = parseDecideBody(request.body ?? {}, {
        actions: true,
        trace: true,
        record: true,
        admin: true,
      });
      const { ref } = request.params as { ref: string };
      const profile = await engine.reads.peekProfile(workspaceId, [ref]);
      if (profile === undefined) throw new TailorError('PROFILE_NOT_FOUND', `No profile matches \`${ref}\``);
      return decide(workspaceId, profile, input);
    },
  );

  app.post(
    '/v1/decide/simulate',
    {
      schema: {
        tags: ['decide'],
        summary: 'What would this person get now, in this context? Explained, and never recorded',
        security: [{ adminKey: [] }],
        body: SimulateBodySchema,
        response: { 200: DecisionSchema, 400: ErrorSchema },
      },
      validatorCompiler: checkedByHandler,
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const input = parseDecideBody(request.body, {
        actions: true,
        trace: true,
        record: false,
        admin: true,
      });
      if (input.record)
        throw new TailorError('INVALID_DECIDE_REQUEST', 'A simulation is never recorded', [
          { path: 'record', message: 'must be false or left out' },
        ]);
      const profile = await engine.reads.peekProfile(workspaceId, input.refs);
      return decide(workspaceId, profile, input);
    },
  );
}
