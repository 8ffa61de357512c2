import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { SendRecord, SendStatus } from '../../activate/send-record.ts';
import type { Engine } from '../../engine/engine.ts';
import { TailorError } from '../../errors.ts';
import { adminWorkspace } from '../admin-auth.ts';
import type { KeyRing } from '../key-ring.ts';
import { ErrorSchema } from '../schemas.ts';

const STATUSES = ['pending', 'sending', 'sent', 'failed', 'dead'] as const;

const SendSchema = Type.Object(
  {
    id: Type.String({ description: 'The idempotency key: the decision and the channel' }),
    profile_id: Type.String(),
    channel: Type.String(),
    to: Type.String(),
    action: Type.Union([Type.String(), Type.Null()]),
    trigger: Type.Union([Type.String(), Type.Null()], {
      description: 'What asked for the decision: `event:<name>`, `journey:<journey>:<step>`…',
    }),
    status: Type.Union(STATUSES.map((status) => Type.Literal(status))),
    attempts: Type.Integer(),
    next_attempt_at: Type.String({ format: 'date-time' }),
    last_error: Type.Union([Type.String(), Type.Null()]),
    provider_message_id: Type.Union([Type.String(), Type.Null()]),
    created_at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

/** A send as the API shows it (content left out: it is the person's message). */
function sendView(send: SendRecord): Record<string, unknown> {
  return {
    id: send.id,
    profile_id: send.profileId,
    channel: send.channel,
    to: send.to,
    action: send.action ?? null,
    trigger: send.trigger ?? null,
    status: send.status,
    attempts: send.attempts,
    next_attempt_at: new Date(send.nextAttemptAt).toISOString(),
    last_error: send.lastError ?? null,
    provider_message_id: send.providerMessageId ?? null,
    created_at: new Date(send.createdAt).toISOString(),
  };
}

/**
 * The outbox through the admin API: sends newest first (by status, to find the dead letters),
 * one send, and re-driving a dead or failed send so the dispatcher tries it again.
 */
export async function sendRoutes(
  app: FastifyInstance,
  options: { engine: Engine; keys: KeyRing; wake: () => void },
): Promise<void> {
  const { engine, keys } = options;
  const security = [{ adminKey: [] }];

  app.get(
    '/v1/sends',
    {
      schema: {
        tags: ['activation'],
        summary: 'Sends in the outbox, newest first; `status=dead` lists the dead letters',
        security,
        querystring: Type.Object({
          status: Type.Optional(Type.Union(STATUSES.map((status) => Type.Literal(status)))),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
          before: Type.Optional(Type.String({ description: '`next_before` of the previous page' })),
        }),
        response: {
          200: Type.Object({ sends: Type.Array(SendSchema), next_before: Type.Optional(Type.String()) }),
        },
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const query = request.query as { status?: SendStatus; limit?: number; before?: string };
      const limit = query.limit ?? 50;
      const before = query.before === undefined ? undefined : readCursor(query.before);
      const sends = await engine.outbox.listSends({
        workspaceId,
        limit,
        ...(query.status === undefined ? {} : { status: query.status }),
        ...(before === undefined ? {} : { before }),
      });
      const last = sends.at(-1);
      return {
        sends: sends.map(sendView),
        ...(last === undefined || sends.length < limit
          ? {}
          : { next_before: `${last.createdAt}:${last.id}` }),
      };
    },
  );

  app.get(
    '/v1/sends/:id',
    {
      schema: {
        tags: ['activation'],
        summary: 'One send',
        security,
        params: Type.Object({ id: Type.String() }),
        response: { 200: SendSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const send = await engine.outbox.getSend(workspaceId, (request.params as { id: string }).id);
      if (send === undefined) throw new TailorError('NOT_FOUND', 'No send has this id');
      return sendView(send);
    },
  );

  app.post(
    '/v1/sends/:id/redrive',
    {
      schema: {
        tags: ['activation'],
        summary: 'Try a dead or failed send again, from its first attempt',
        security,
        params: Type.Object({ id: Type.String() }),
        response: { 200: SendSchema, 404: ErrorSchema, 409: ErrorSchema },
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const { id } = request.params as { id: string };
      const send = await engine.outbox.getSend(workspaceId, id);
      if (send === undefined) throw new TailorError('NOT_FOUND', 'No send has this id');
      if (!(await engine.outbox.redriveSend(workspaceId, id, engine.clock())))
        throw new TailorError(
          'SEND_NOT_REDRIVABLE',
          `The send is ${send.status}: only dead or failed sends are re-driven`,
        );
      options.wake();
      const redriven = await engine.outbox.getSend(workspaceId, id);
      return sendView(redriven ?? send);
    },
  );
}

/** A `before` cursor: `<created_at ms>:<send id>`, as `next_before` gives it. */
function readCursor(text: string): { createdAt: number; id: string } {
  const colon = text.indexOf(':');
  const createdAt = Number(text.slice(0, colon));
  if (colon <= 0 || !Number.isSafeInteger(createdAt))
    throw new TailorError('INVALID_CURSOR', 'The `before` cursor is not one a page of sends gave');
  return { createdAt, id: text.slice(colon + 1) };
}
