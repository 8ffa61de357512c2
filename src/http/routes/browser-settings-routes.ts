import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Engine } from '../../engine/engine.ts';
import { TailorError } from '../../errors.ts';
import type { KeyRing } from '../key-ring.ts';
import { ErrorSchema } from '../schemas.ts';

/**
 * The settings analytics.js (`@segment/analytics-next`) loads from its CDN before it sends
 * anything, as Segment's CDN serves them: `integrations['Segment.io']` says where events go
 * (`protocol://apiHost/t`, `/p`, …, here Tailor's own tracking API) and `plan` lets every event
 * through. Nothing else is switched on: no device-mode destinations, no remote plugins, no
 * metrics sent to Segment (`sampleRate: 0`).
 */
export function browserSettings(input: { writeKey: string; protocol: 'http' | 'https'; apiHost: string }) {
  return {
    integrations: {
      'Segment.io': {
        apiKey: input.writeKey,
        apiHost: input.apiHost,
        protocol: input.protocol,
        unbundledIntegrations: [],
        addBundledMetadata: true,
        maybeBundledConfigIds: {},
      },
    },
    plan: {
      track: { __default: { enabled: true, integrations: {} } },
      identify: { __default: { enabled: true } },
      group: { __default: { enabled: true } },
    },
    edgeFunction: {},
    analyticsNextEnabled: true,
    middlewareSettings: {},
    enabledMiddleware: {},
    metrics: { sampleRate: 0 },
    legacyVideoPluginsEnabled: false,
    remotePlugins: [],
  };
}

const SettingsSchema = Type.Object(
  {
    integrations: Type.Object({
      'Segment.io': Type.Object(
        {
          apiKey: Type.String({ description: 'The write key, as in the path' }),
          apiHost: Type.String({ description: 'Where analytics.js sends events: Tailor, host and `/v1`' }),
          protocol: Type.Union([Type.Literal('http'), Type.Literal('https')]),
        },
        { additionalProperties: true },
      ),
    }),
    plan: Type.Object({}, { additionalProperties: true }),
  },
  { additionalProperties: true },
);

/**
 * `GET /v1/projects/{writeKey}/settings`: what analytics.js asks its `cdnURL` for. Public, like
 * the write key it names: it holds nothing but that key and Tailor's address. An unknown or
 * revoked key gets `401 UNKNOWN_WRITE_KEY` (an admin key is no write key). The address is
 * `publicUrl` when a proxy stands in front, else the one the browser asked at.
 */
export async function browserSettingsRoutes(
  app: FastifyInstance,
  options: { engine: Engine; keys: KeyRing; publicUrl?: string | undefined },
): Promise<void> {
  const { engine, keys, publicUrl } = options;
  app.get(
    '/v1/projects/:writeKey/settings',
    {
      schema: {
        tags: ['tracking'],
        summary: 'analytics.js CDN settings for a write key (point its `cdnURL` at Tailor)',
        params: Type.Object({ writeKey: Type.String() }),
        response: { 200: SettingsSchema, 401: ErrorSchema },
      },
    },
    async (request) => {
      const { writeKey } = request.params as { writeKey: string };
      const grant = await keys.lookup(writeKey, engine.clock());
      if (grant === undefined || grant.kind !== 'write') throw new TailorError('UNKNOWN_WRITE_KEY');
      return browserSettings({ writeKey, ...address(request, publicUrl) });
    },
  );
}

/** Tailor's address as the browser reaches it: protocol, and host with the `/v1` path. */
function address(
  request: FastifyRequest,
  publicUrl: string | undefined,
): { protocol: 'http' | 'https'; apiHost: string } {
  if (publicUrl !== undefined) {
    const url = new URL(publicUrl);
    const path = url.pathname.replace(/\/+$/, '');
    return { protocol: url.protocol === 'http:' ? 'http' : 'https', apiHost: `${url.host}${path}/v1` };
  }
  return { protocol: request.protocol === 'https' ? 'https' : 'http', apiHost: `${request.host}/v1` };
}
