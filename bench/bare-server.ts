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
const address = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`listening on ${address}`);
