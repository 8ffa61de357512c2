import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FeedbackEvent, SendConfirmation } from '../../activate/channel.ts';
import { feedbackToEvent } from '../../activate/feedback-to-event.ts';
import { readHubSpotWebhook, verifyHubSpotRequest } from '../../activate/hubspot/hubspot-webhook.ts';
import { readMessengerWebhook } from '../../activate/messenger/messenger-webhook.ts';
import {
  readTwilioInbound,
  readTwilioSendConfirmation,
  readTwilioStatus,
  type TwilioParams,
  verifyTwilioSignature,
} from '../../activate/sms/twilio-webhook.ts';
import {
  readSendConfirmations,
  readWebhook,
  verifySignature,
  verifySubscription,
} from '../../activate/whatsapp/whatsapp-webhook.ts';
import { confirmSends } from '../../dispatch/confirm-sends.ts';
import type { Engine } from '../../engine/engine.ts';
import { TailorError } from '../../errors.ts';
import { replaceInvalidCharacters } from '../../ingest/replace-invalid-characters.ts';
import type { LiveEvents } from '../live-events.ts';

/** The secrets that authenticate a workspace's provider callbacks, resolved from its channels. */
export interface ProviderSecrets {
  whatsappAppSecret?: string;
  whatsappVerifyToken?: string;
  twilioAuthToken?: string;
  rcsAuthToken?: string;
  hubspotClientSecret?: string;
  social?: Partial<Record<'messenger' | 'instagram', { appSecret: string; verifyToken: string }>>;
}

/** Looks up a workspace's callback secrets; undefined when the workspace has no such channel. */
export type SecretsLookup = (workspaceId: string) => ProviderSecrets | undefined;

/**
 * Provider callbacks and inbound messages, the feedback loop's way in, and HubSpot's contact webhooks (v3 signature), the CRM's: WhatsApp Cloud API
 * webhooks (the verification handshake, then `X-Hub-Signature-256`-signed statuses and replies)
 * and Twilio status callbacks and inbound SMS and RCS (`X-Twilio-Signature`). Each verified callback
 * becomes events (`Message Delivered`, `Message Replied`, `Unsubscribed`…) appended through the
 * same pipeline as tracked events, so identity resolution finds the person by number. A status
 * callback that names a send (WhatsApp's `biz_opaque_callback_data`, the `send_id` of Twilio's
 * status callback URL) also confirms that send `sent` in the outbox, so it is never sent again.
 * A forged or unsigned callback is refused with 401 and changes nothing. `publicUrl` is Tailor's
 * URL as the provider calls it (Twilio signs the full URL), when a proxy stands in front.
 * `received` hears of each verified confirmation as soon as it is read, before it is written
 * (the dispatcher, so that it does not hand a confirmed send to its provider meanwhile).
 */
export async function providerWebhookRoutes(
  app: FastifyInstance,
  options: {
    engine: Engine;
    secrets: SecretsLookup;
    publicUrl?: string | undefined;
    received?: (workspaceId: string, confirmations: readonly SendConfirmation[]) => void;
    /** The console's live feed, which shows the feedback taken in beside the tracking API's events. */
    live?: LiveEvents;
  },
): Promise<void> {
  const { engine, secrets } = options;
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );

  const secretsOf = (request: FastifyRequest): { workspaceId: string; secrets: ProviderSecrets } => {
    const { workspace } = request.params as { workspace: string };
    const found = engine.workspace(workspace) === undefined ? undefined : secrets(workspace);
    if (found === undefined)
      throw new TailorError('NOT_FOUND', `No channel callbacks for workspace \`${workspace}\``);
    return { workspaceId: workspace, secrets: found };
  };
  const ingest = async (workspaceId: string, feedback: FeedbackEvent[]): Promise<number> => {
    if (feedback.length === 0) return 0;
    for (const item of feedback) await attributeReply(engine, workspaceId, item);
    const now = engine.clock();
    const events = feedback.map((item) => feedbackToEvent(storableFeedback(item), now));
    const outcomes = await engine.ingest(workspaceId, events);
    options.live?.published({
      workspaceId,
      accepted: events.filter((_, i) => outcomes[i]?.kind !== 'duplicate'),
      refused: [],
    });
    return feedback.length;
  };
  const hidden = { schema: { hide: true } };

  app.get('/v1/webhooks/:workspace/whatsapp', hidden, async (request, reply) => {
    const { secrets: found } = secretsOf(request);
    if (found.whatsappVerifyToken === undefined) throw new TailorError('NOT_FOUND');
    const answer = verifySubscription(request.query as Record<string, unknown>, found.whatsappVerifyToken);
    if (answer.status !== 200) return reply.status(403).type('text/plain').send('verify token mismatch');
    return reply.type('text/plain').send(answer.body);
  });

  app.post('/v1/webhooks/:workspace/whatsapp', hidden, async (request, reply) => {
    const { workspaceId, secrets: found } = secretsOf(request);
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const signature = request.headers['x-hub-signature-256'];
    if (
      found.whatsappAppSecret === undefined ||
      !verifySignature(raw, typeof signature === 'string' ? signature : undefined, found.whatsappAppSecret)
    )
      return reply
        .status(401)
        .send({ code: 'INVALID_SIGNATURE', message: 'The X-Hub-Signature-256 does not match' });
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new TailorError('INVALID_JSON');
    }
    const confirmations = readSendConfirmations(payload);
    options.received?.(workspaceId, confirmations);
    await confirmSends({ engine, workspaceId, confirmations });
    return { received: await ingest(workspaceId, readWebhook(payload)) };
  });

  // Messenger and Instagram: Meta's messaging webhooks, verified and signed as WhatsApp's are.
  for (const channel of ['messenger', 'instagram'] as const) {
    app.get(`/v1/webhooks/:workspace/${channel}`, hidden, async (request, reply) => {
      const keys = secretsOf(request).secrets.social?.[channel];
      if (keys === undefined) throw new TailorError('NOT_FOUND');
      const answer = verifySubscription(request.query as Record<string, unknown>, keys.verifyToken);
      if (answer.status !== 200) return reply.status(403).type('text/plain').send('verify token mismatch');
      return reply.type('text/plain').send(answer.body);
    });
    app.post(`/v1/webhooks/:workspace/${channel}`, hidden, async (request, reply) => {
      const { workspaceId, secrets: found } = secretsOf(request);
      const keys = found.social?.[channel];
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const signature = request.headers['x-hub-signature-256'];
      if (
        keys === undefined ||
        !verifySignature(raw, typeof signature === 'string' ? signature : undefined, keys.appSecret)
      )
        return reply
          .status(401)
          .send({ code: 'INVALID_SIGNATURE', message: 'The X-Hub-Signature-256 does not match' });
      let payload: unknown;
      try {
        payload = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new TailorError('INVALID_JSON');
      }
      return { received: await ingest(workspaceId, readMessengerWebhook(payload, channel)) };
    });
  }

  app.post('/v1/webhooks/:workspace/hubspot', hidden, async (request, reply) => {
    const { workspaceId, secrets: found } = secretsOf(request);
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const header = (name: string): string | undefined => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const now = engine.clock();
    const check =
      found.hubspotClientSecret === undefined
        ? 'bad-signature'
        : verifyHubSpotRequest({
            method: request.method,
            uri: `${options.publicUrl ?? `${request.protocol}://${request.headers.host}`}${request.url}`,
            body: raw,
            signature: header('x-hubspot-signature-v3'),
            timestamp: header('x-hubspot-request-timestamp'),
            clientSecret: found.hubspotClientSecret,
            now,
          });
    if (check !== 'ok')
      return reply.status(401).send({
        code: 'INVALID_SIGNATURE',
        message:
          check === 'stale'
            ? 'The X-HubSpot-Request-Timestamp is more than 5 minutes from now'
            : 'The X-HubSpot-Signature-v3 does not match',
      });
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new TailorError('INVALID_JSON');
    }
    const properties = engine.workspace(workspaceId)?.definition.channels?.hubspot?.properties ?? {};
    const events = readHubSpotWebhook({ payload, properties, receivedAt: now });
    if (events.length > 0) await engine.ingest(workspaceId, events);
    return { received: events.length };
  });

  for (const kind of ['status', 'inbound'] as const) {
    app.post(`/v1/webhooks/:workspace/twilio/${kind}`, hidden, async (request, reply) => {
      const { workspaceId, secrets: found } = secretsOf(request);
      const params = (request.body ?? {}) as TwilioParams;
      const header = request.headers['x-twilio-signature'];
      const url = `${options.publicUrl ?? `${request.protocol}://${request.headers.host}`}${request.url}`;
      // The SMS and RCS channels may use two Twilio accounts: either account's token may have signed.
      const tokens = [found.twilioAuthToken, found.rcsAuthToken].filter((token) => token !== undefined);
      const signature = typeof header === 'string' ? header : undefined;
      if (!tokens.some((authToken) => verifyTwilioSignature({ url, params, header: signature, authToken })))
        return reply
          .status(401)
          .send({ code: 'INVALID_SIGNATURE', message: 'The X-Twilio-Signature does not match' });
      const now = engine.clock();
      const query = request.query as { send_id?: unknown; channel?: unknown };
      if (kind === 'status') {
        const sendId = query.send_id;
        const confirmation = readTwilioSendConfirmation({ params, sendId });
        if (confirmation !== undefined) {
          options.received?.(workspaceId, [confirmation]);
          await confirmSends({ engine, workspaceId, confirmations: [confirmation] });
        }
      }
      const channel = query.channel === 'rcs' ? 'rcs' : 'sms';
      const feedback =
        kind === 'status' ? readTwilioStatus(params, now, channel) : readTwilioInbound(params, now);
      await ingest(workspaceId, feedback);
      // Twilio expects TwiML (or nothing) in answer to an inbound message.
      return reply.type('text/xml').send('<Response></Response>');
    });
  }
}

/**
 * Attributes a reply that quotes one of our messages (`in_reply_to`, a provider message id) to
 * the decision that sent it, through the person's contact log, which keeps each sent message's
 * provider id: the reply event then carries `decision_id` like the send's own callbacks do.
 */
async function attributeReply(engine: Engine, workspaceId: string, feedback: FeedbackEvent): Promise<void> {
  const quoted = feedback.properties['in_reply_to'];
  if (typeof quoted !== 'string' || feedback.properties['decision_id'] !== undefined) return;
  const { type, value } = feedback.identifier;
  const profile = await engine.reads.peekProfile(workspaceId, [`${type}:${value}`]);
  const decisionId = profile?.contacts?.find((contact) => contact.providerMessageId === quoted)?.decisionId;
  if (decisionId !== undefined) feedback.properties['decision_id'] = decisionId;
}

/**
 * A verified callback's feedback with NUL and unpaired surrogate halves replaced (U+FFFD) in its
 * strings: a person's reply is kept, never refused, and can still be stored on PostgreSQL.
 * Feedback properties are flat values the provider readers pick, so one level is enough.
 */
function storableFeedback(feedback: FeedbackEvent): FeedbackEvent {
  const properties: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(feedback.properties))
    properties[replaceInvalidCharacters(key)] =
      typeof value === 'string' ? replaceInvalidCharacters(value) : value;
  return {
    ...feedback,
    identifier: {
      type: feedback.identifier.type,
      value: replaceInvalidCharacters(feedback.identifier.value),
    },
    properties,
    messageId: replaceInvalidCharacters(feedback.messageId),
  };
}
