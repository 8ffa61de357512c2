import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { TailorError } from '../../errors.ts';

/** The demo shop's files (`examples/web/`). */
const DEMO_DIR = new URL('../../../examples/web/', import.meta.url);
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/**
 * `/demo`: a shop page using the browser SDK against this Tailor (`examples/web/`), for the
 * workspace `tailor start` loaded: its write key (public, as on any site) is written into the
 * page. `/demo/{file}` serves the page's other files.
 */
export async function demoRoutes(
  app: FastifyInstance,
  options: { writeKey: string | undefined },
): Promise<void> {
  const serve = async (file: string): Promise<{ type: string; body: string }> => {
    const match = /^[a-z0-9-]+\.(html|js|css)$/.exec(file);
    const type = match?.[1] === undefined ? undefined : TYPES[match[1]];
    if (type === undefined) throw new TailorError('NOT_FOUND', `No demo file ${file}`);
    let body: string;
    try {
      body = await readFile(new URL(file, DEMO_DIR), 'utf8');
    } catch {
      throw new TailorError('NOT_FOUND', `No demo file ${file}`);
    }
    // As a JavaScript string's content, with `<` escaped so no value can close the script.
    const key = JSON.stringify(options.writeKey ?? '')
      .slice(1, -1)
      .replaceAll('<', '\\u003c');
    return { type, body: body.replaceAll('__TAILOR_WRITE_KEY__', key) };
  };
  app.get('/demo', { schema: { hide: true } }, async (_request, reply) => {
    const { type, body } = await serve('index.html');
    return reply.type(type).send(body);
  });
  app.get('/demo/:file', { schema: { hide: true } }, async (request, reply) => {
    const { type, body } = await serve((request.params as { file: string }).file);
    return reply.type(type).send(body);
  });
}
