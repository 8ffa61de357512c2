import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildChannelAdapters } from '../../src/activate/build-adapters.ts';
import { resolveSecret } from '../../src/activate/resolve-secret.ts';
import { DEMO_NETWORK_POLICY } from '../../src/app/settings.ts';
import { LOG_REDACTIONS } from '../../src/app/start-tailor.ts';
import { fakeClock } from '../../src/clock.ts';
import { hashKey } from '../../src/engine/api-keys.ts';
import { Engine } from '../../src/engine/engine.ts';
import { buildServer } from '../../src/http/server.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { workspaceYaml } from '../support/test-tailor.ts';
import { thrownTailorError } from '../support/thrown.ts';
import { type CaptureServer, startCaptureServer } from './capture-server.ts';

const ADMIN = { authorization: 'Bearer ak_shop', 'content-type': 'application/yaml' };

/** A Tailor whose deployment allows local provider servers, as the demo and the reproduction ran. */
async function openTailor() {
  const clock = fakeClock('2026-03-01T10:00:00Z');
  const store = new SqliteStore({ path: ':memory:' });
  const engine = await Engine.open({ store, clock: clock.now, checkpointIntervalMs: 60_000 });
  await engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop') }));
  await store.addKey({ workspaceId: 'shop', kind: 'admin', hash: hashKey('ak_shop') });
  const app = await buildServer({ engine, network: DEMO_NETWORK_POLICY });
  cleanups.push(async () => {
    await app.close();
    await engine.close();
  });
  return { app, engine };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function capture(): Promise<CaptureServer> {
  const server = await startCaptureServer();
  cleanups.push(() => server.close());
  return server;
}

/** The attacker's workspace: a WhatsApp channel pointed at their server, its token any variable. */
function leakingWorkspace(baseUrl: string, token: string): string {
  return `workspace:
  id: shop
  name: Shop
channels:
  whatsapp:
    base_url: ${baseUrl}
    phone_number_id: "1"
    access_token: \${${token}}
    app_secret: local-app-secret
    verify_token: local-verify
`;
}

describe('a workspace reads only TAILOR_SECRET_ variables', () => {
  it.each([
    ['PATH', 'TAILOR_SECRET_PATH'],
    ['TAILOR_PG_URL', 'TAILOR_SECRET_PG_URL'],
    ['DATABASE_URL', 'TAILOR_SECRET_DATABASE_URL'],
  ])(
    'refuses a reference to %s when the workspace is applied, at file:line:col, saying what to rename it to',
    async (name, renamed) => {
      const { app, engine } = await openTailor();
      const server = await capture();
      const before = engine.workspace('shop')?.version;
      const response = await app.inject({
        method: 'PUT',
        url: '/v1/workspace',
        headers: ADMIN,
        payload: leakingWorkspace(server.url, name),
      });
      expect(response.statusCode).toBe(400);
      const body = response.json();
      expect(body.code).toBe('INVALID_WORKSPACE');
      expect(body.details).toEqual([
        {
          path: 'request body:8:19 channels.whatsapp.access_token',
          message: expect.stringContaining(`rename the variable to ${renamed} and write \`\${${renamed}}\``),
        },
      ]);
      expect(engine.workspace('shop')?.version).toBe(before);
      expect(server.requests).toEqual([]);
    },
  );

  it('refuses it again when the channels are built, so a definition saved before cannot send it', async () => {
    const server = await capture();
    const env = { PATH: '/usr/local/bin:/usr/bin', TAILOR_PG_URL: 'postgres://tailor:hunter2@db/tailor' };
    for (const name of Object.keys(env)) {
      const error = thrownTailorError(() =>
        buildChannelAdapters(
          {
            whatsapp: {
              baseUrl: server.url,
              phoneNumberId: '1',
              accessToken: `\${${name}}`,
              appSecret: 'a',
              verifyToken: 'v',
            },
          },
          { env, network: DEMO_NETWORK_POLICY },
        ),
      );
      expect(error.code).toBe('INVALID_WORKSPACE');
      expect(error.message).toBe(
        `channels.whatsapp.access_token may not read the environment variable ${name}`,
      );
      expect(JSON.stringify(error)).not.toContain('hunter2');
    }
    expect(server.requests).toEqual([]);
  });

  it('reads a TAILOR_SECRET_ variable, from channels and from any other field', () => {
    const env = { TAILOR_SECRET_IDENTITY: 'identity-key', DATABASE_URL: 'postgres://x' };
    expect(resolveSecret(`\${TAILOR_SECRET_IDENTITY}`, env, 'identity.verification_secret')).toBe(
      'identity-key',
    );
    const error = thrownTailorError(() =>
      resolveSecret(`\${DATABASE_URL}`, env, 'identity.verification_secret'),
    );
    expect(error.details).toEqual([
      {
        path: 'identity.verification_secret',
        message: expect.stringMatching(/rename the variable to TAILOR_SECRET_DATABASE_URL/),
      },
    ]);
    expect(
      thrownTailorError(() => resolveSecret(`\${TAILOR_SECRET_}`, env, 'x')).details[0]?.message,
    ).toMatch(/without the TAILOR_SECRET_ prefix/);
  });
});

describe('API answers and logs show no secret', () => {
  it('GET /v1/workspace shows references as written and literal secrets redacted', async () => {
    const { app } = await openTailor();
    const put = await app.inject({
      method: 'PUT',
      url: '/v1/workspace',
      headers: ADMIN,
      payload: `workspace:
  id: shop
  name: Shop
channels:
  whatsapp:
    base_url: http://127.0.0.1:4010/v21.0
    phone_number_id: "1"
    access_token: literal-access-token-5f1e
    app_secret: literal-app-secret-77c2
    verify_token: literal-verify-token-0a9d
  sms:
    base_url: https://api.twilio.com
    account_sid: AC1
    auth_token: \${TAILOR_SECRET_TWILIO_AUTH_TOKEN}
    from: "+15005550006"
  webhook:
    url: http://localhost:4012/hook
    secret: literal-webhook-secret-3b3b
`,
    });
    expect(put.statusCode).toBe(200);
    const response = await app.inject({ method: 'GET', url: '/v1/workspace', headers: ADMIN });
    expect(response.statusCode).toBe(200);
    for (const secret of [
      'literal-access-token-5f1e',
      'literal-app-secret-77c2',
      'literal-verify-token-0a9d',
      'literal-webhook-secret-3b3b',
    ])
      expect(response.body).not.toContain(secret);
    const channels = response.json().definition.channels;
    expect(channels.whatsapp).toMatchObject({
      accessToken: '[redacted]',
      appSecret: '[redacted]',
      verifyToken: '[redacted]',
      baseUrl: 'http://127.0.0.1:4010/v21.0',
    });
    expect(channels.sms.authToken).toBe(`\${TAILOR_SECRET_TWILIO_AUTH_TOKEN}`);
    expect(channels.webhook.secret).toBe('[redacted]');
  });

  it('redacts credentials and channel secrets wherever a log line carries them', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = pino({ redact: LOG_REDACTIONS }, sink);
    logger.info({ req: { headers: { authorization: 'Bearer ak_live_1' } } }, 'request');
    logger.info(
      { channel: { accessToken: 'tok-1', authToken: 'tok-2', password: 'pw-3', secret: 'sec-4' } },
      'built',
    );
    logger.info({ response: { headers: { authorization: 'Basic c2VjcmV0' } } }, 'answer');
    const text = lines.join('');
    for (const secret of ['ak_live_1', 'tok-1', 'tok-2', 'pw-3', 'sec-4', 'c2VjcmV0'])
      expect(text).not.toContain(secret);
    expect(text).toContain('[Redacted]');
  });
});
