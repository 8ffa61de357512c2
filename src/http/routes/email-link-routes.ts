import type { FastifyInstance } from 'fastify';
import {
  clickFeedback,
  isOneClickUnsubscribe,
  unsubscribeFeedback,
} from '../../activate/email/email-feedback.ts';
import type { ClickClaims, UnsubscribeClaims } from '../../activate/email/signed-links.ts';
import { feedbackToEvent } from '../../activate/feedback-to-event.ts';
import type { Activation } from '../../dispatch/activation.ts';
import type { Engine } from '../../engine/engine.ts';

/**
 * The links in Tailor's emails: `GET /v1/c/{token}` records the click and redirects to the
 * original URL; `POST /v1/u/{token}` is RFC 8058 one-click unsubscribe (what mail clients call);
 * `GET /v1/u/{token}` only shows a confirmation form, since link scanners fetch links and must
 * never unsubscribe anyone. Tokens are signed and expire; a bad one gets 404 and changes nothing.
 */
export async function emailLinkRoutes(
  app: FastifyInstance,
  options: { engine: Engine; activation: Activation },
): Promise<void> {
  const { engine, activation } = options;
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, String(body)),
  );
  const hidden = { schema: { hide: true } };

  const findClick = (token: string): { workspaceId: string; claims: ClickClaims } | undefined => {
    for (const { workspaceId, clicks } of activation.links()) {
      const check = clicks.verify(token);
      if (check.ok) return { workspaceId, claims: check.claims };
    }
    return undefined;
  };
  const findUnsubscribe = (token: string): { workspaceId: string; claims: UnsubscribeClaims } | undefined => {
    for (const { workspaceId, unsubscribe } of activation.links()) {
      const check = unsubscribe.verify(token);
      if (check.ok) return { workspaceId, claims: check.claims };
    }
    return undefined;
  };

  app.get('/v1/c/:token', hidden, async (request, reply) => {
    const found = findClick((request.params as { token: string }).token);
    if (found === undefined) return reply.status(404).type('text/plain').send('This link is not valid.');
    const now = engine.clock();
    engine.record(found.workspaceId, [feedbackToEvent(clickFeedback(found.claims, now), now)]);
    return reply.redirect(found.claims.url, 302);
  });

  app.post('/v1/u/:token', hidden, async (request, reply) => {
    const found = findUnsubscribe((request.params as { token: string }).token);
    if (found === undefined) return reply.status(404).type('text/plain').send('This link is not valid.');
    const oneClick = isOneClickUnsubscribe(request.body);
    const now = engine.clock();
    await engine.ingest(found.workspaceId, [
      feedbackToEvent(unsubscribeFeedback(found.claims, now, oneClick ? 'one-click' : 'link'), now),
    ]);
    return reply
      .type('text/html')
      .send('<!doctype html><title>Unsubscribed</title><p>You are unsubscribed.</p>');
  });

  app.get('/v1/u/:token', hidden, async (request, reply) => {
    const { token } = request.params as { token: string };
    if (findUnsubscribe(token) === undefined)
      return reply.status(404).type('text/plain').send('This link is not valid.');
    return reply
      .type('text/html')
      .send(
        `<!doctype html><title>Unsubscribe</title><form method="post" action="/v1/u/${encodeURIComponent(token)}">` +
          '<p>Stop receiving these emails?</p><button type="submit">Unsubscribe</button></form>',
      );
  });
}
