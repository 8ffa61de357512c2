/**
 * The HTTP baseline: a bare Fastify server that reads the body, parses the same JSON and
 * answers 200 — everything an ingest endpoint must do at the least. Prints its address.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 512_000 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
app.post('/v1/:call', async (request) => {
  JSON.parse((request.body as Buffer).toString('utf8'));
  return { success: true };
});
// The decide baseline: parse the request and answer a decision of the same shape and about the
// same size as Tailor's (the placement asked for, a rendered variant and an action), built from
// the request alone.
app.post('/v1/decide', async (request) => {
  const body = JSON.parse((request.body as Buffer).toString('utf8')) as { placements?: unknown };
  const placements: Record<string, unknown> = {};
  for (const key of Array.isArray(body.placements) ? body.placements : [])
    placements[String(key)] = {
      variant: 'default',
      content: { title: 'Welcome there', body: 'Shop online' },
    };
  return {
    profile_id: null,
    placements,
    action: {
      outcome: 'action',
      action: 'action_0',
      channel: 'email',
      timing: 'immediate',
      send_at: null,
      content: { text: 'Hi there, email offer 0 on our picks' },
      reason: 'highest priority: propensity 0.5 × context 1 × value 10 × weight 1 = 5',
      context: {
        intent: null,
        risk: null,
        preferred_channel: null,
        recommended_action: 'action_0',
        timing: 'immediate',
      },
      decided_at: new Date().toISOString(),
    },
  };
});
const address = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`listening on ${address}`);
