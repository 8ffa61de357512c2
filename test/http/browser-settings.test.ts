import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/http/server.ts';
import { bearer, openTestTailor, type TestTailor } from '../support/test-tailor.ts';

let t: TestTailor;
beforeEach(async () => {
  t = await openTestTailor();
});
afterEach(async () => {
  await t.close();
});

describe('GET /v1/projects/{writeKey}/settings (analytics.js cdnURL)', () => {
  it('serves the CDN settings shape, pointing analytics.js at Tailor, without credentials', async () => {
    const reply = await t.app.inject({
      method: 'GET',
      url: `/v1/projects/${t.writeKey}/settings`,
      headers: { host: '127.0.0.1:3000', origin: 'https://shop.example.com' },
    });
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    const settings = reply.json();
    expect(settings.integrations).toEqual({
      'Segment.io': {
        apiKey: t.writeKey,
        apiHost: '127.0.0.1:3000/v1',
        protocol: 'http',
        unbundledIntegrations: [],
        addBundledMetadata: true,
        maybeBundledConfigIds: {},
      },
    });
    expect(settings.plan.track.__default).toEqual({ enabled: true, integrations: {} });
    expect(settings.metrics).toEqual({ sampleRate: 0 });
    expect(settings.remotePlugins).toEqual([]);
    expect(reply.body).not.toContain(t.adminKey);
  });

  it('sends events where it says: analytics.js posts to protocol://apiHost/<first letter of the type>', async () => {
    const settings = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/projects/${t.writeKey}/settings`,
        headers: { host: 'tailor.test' },
      })
    ).json();
    const segment = settings.integrations['Segment.io'];
    const url = new URL(`${segment.protocol}://${segment.apiHost}/t`);
    // As analytics.js sends: text/plain (no CORS preflight), the write key in the body.
    const track = await t.app.inject({
      method: 'POST',
      url: url.pathname,
      headers: { host: url.host, 'content-type': 'text/plain' },
      payload: JSON.stringify({
        writeKey: segment.apiKey,
        anonymousId: 'browser-1',
        event: 'Pricing Viewed',
        type: 'track',
      }),
    });
    expect(track.statusCode, track.body).toBe(200);
    expect(track.json()).toMatchObject({ success: true, accepted: 1 });
  });

  it('names the public URL when a proxy stands in front', async () => {
    const app = await buildServer({ engine: t.engine, publicUrl: 'https://tailor.example.com/track' });
    try {
      const reply = await app.inject({ method: 'GET', url: `/v1/projects/${t.writeKey}/settings` });
      expect(reply.json().integrations['Segment.io']).toMatchObject({
        apiHost: 'tailor.example.com/track/v1',
        protocol: 'https',
      });
    } finally {
      await app.close();
    }
  });

  it('knows write keys only: an unknown key or an admin key gets 401 UNKNOWN_WRITE_KEY', async () => {
    for (const key of ['wk_nobody', t.adminKey]) {
      const reply = await t.app.inject({ method: 'GET', url: `/v1/projects/${key}/settings` });
      expect(reply.statusCode, reply.body).toBe(401);
      expect(reply.json().code).toBe('UNKNOWN_WRITE_KEY');
      expect(reply.body).not.toContain(key);
    }
    // Not an admin route: an admin key in the header changes nothing.
    const withAdmin = await t.app.inject({
      method: 'GET',
      url: `/v1/projects/${t.writeKey}/settings`,
      headers: { authorization: bearer(t.adminKey) },
    });
    expect(withAdmin.statusCode).toBe(200);
  });
});
