import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeClock, fakeClock } from '../../src/clock.ts';
import { Activation } from '../../src/dispatch/activation.ts';
import { hashKey } from '../../src/engine/api-keys.ts';
import { Engine } from '../../src/engine/engine.ts';
import { buildServer } from '../../src/http/server.ts';
import { LimitedLog } from '../../src/limited-log.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { basic, workspaceYaml } from '../support/test-tailor.ts';

/** A workspace whose email channel names a link secret the environment does not have. */
const NO_LINK_SECRET = workspaceYaml(
  'shop',
  `channels:
  email:
    host: smtp.example.com
    port: 587
    from: hello@example.com
    link_base_url: https://t.example.com
    link_secret: \${TAILOR_SECRET_LINK_UNSET_IN_TEST}
`,
);

interface Captured {
  lines: { level: number; msg: string; kind?: string; suppressed?: number }[];
}

function capture(): Captured & { logger: pino.Logger } {
  const captured: Captured = { lines: [] };
  const logger = pino({ level: 'info' }, { write: (line: string) => captured.lines.push(JSON.parse(line)) });
  return { ...captured, logger };
}

describe('LimitedLog', () => {
  it('writes at most max lines per kind and interval, one notice, then one summary', () => {
    const clock = fakeClock('2026-03-01T10:00:00Z');
    const lines: string[] = [];
    const sink = (_: object, message?: string) => lines.push(message ?? '');
    const log = new LimitedLog({ logger: { info: sink, warn: sink, error: sink }, clock: clock.now, max: 3 });
    for (let i = 0; i < 1_000; i += 1) log.error('bad-link', { i }, 'link refused');
    log.warn('other', {}, 'another kind has its own limit');
    expect(lines).toEqual([
      'link refused',
      'link refused',
      'link refused',
      'more than 3 log lines of this kind in 60 s: suppressing them until then',
      'another kind has its own limit',
    ]);
    clock.advance(60_000);
    log.error('bad-link', {}, 'link refused');
    expect(lines.slice(5)).toEqual(['suppressed 997 log lines of this kind', 'link refused']);
  });
});

describe('requests without credentials cannot flood the log', () => {
  let clock: FakeClock;
  let engine: Engine;
  let activation: Activation;
  let logs: ReturnType<typeof capture>;

  beforeEach(async () => {
    clock = fakeClock('2026-03-01T10:00:00Z');
    logs = capture();
    const store = new SqliteStore({ path: ':memory:' });
    engine = await Engine.open({
      store,
      clock: clock.now,
      checkpointIntervalMs: 3_600_000,
      timerIntervalMs: 3_600_000,
    });
    await engine.applyWorkspace(parseWorkspaceYaml({ text: NO_LINK_SECRET }));
    await store.addKey({ workspaceId: 'shop', kind: 'write', hash: hashKey('wk_shop') });
    await store.addKey({ workspaceId: 'shop', kind: 'admin', hash: hashKey('ak_shop') });
    activation = new Activation({ engine, logger: logs.logger, env: {} });
  });

  afterEach(async () => {
    await activation.stop();
    await engine.close();
  });

  it('1,000 email-link clicks for a workspace without a link secret write a handful of lines', async () => {
    const app = await buildServer({ engine, activation, logger: logs.logger });
    try {
      for (let i = 0; i < 1_000; i += 1) {
        const reply = await app.inject({ method: 'GET', url: `/v1/c/forged.${i}` });
        expect(reply.statusCode).toBe(404);
      }
      expect(logs.lines.filter((line) => line.msg === 'channels could not be set up').length).toBeGreaterThan(
        0,
      );
      expect(logs.lines.length).toBeLessThanOrEqual(7);
    } finally {
      await app.close();
    }
  });

  it('1,000 requests that fail inside Tailor write a handful of lines', async () => {
    const app = await buildServer({ engine, logger: logs.logger });
    app.get('/v1/boom', async () => {
      throw new Error('a bug any caller can reach');
    });
    try {
      for (let i = 0; i < 1_000; i += 1) {
        // A route not listed as public is an admin route: the bug sits behind the key check.
        const reply = await app.inject({
          method: 'GET',
          url: '/v1/boom',
          headers: { authorization: 'Bearer ak_shop' },
        });
        expect([reply.statusCode, reply.json().code]).toEqual([500, 'INTERNAL']);
      }
      expect(logs.lines.filter((line) => line.msg === 'request failed').length).toBeGreaterThan(0);
      expect(logs.lines.length).toBeLessThanOrEqual(7);
    } finally {
      await app.close();
    }
  });

  it('1,000 bad write keys write nothing', async () => {
    const app = await buildServer({ engine, activation, logger: logs.logger });
    try {
      for (let i = 0; i < 1_000; i += 1) {
        const tracked = await app.inject({
          method: 'POST',
          url: '/v1/track',
          headers: { 'content-type': 'application/json', authorization: basic(`wk_guess_${i}`) },
          payload: JSON.stringify({ userId: 'u1', event: 'Order Completed' }),
        });
        expect(tracked.statusCode).toBe(401);
      }
      expect(logs.lines).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('1,000 provider callbacks with bad signatures write a handful of lines', async () => {
    const app = await buildServer({ engine, activation, logger: logs.logger });
    try {
      for (let i = 0; i < 1_000; i += 1) {
        const callback =
          i % 2 === 0
            ? {
                url: '/v1/webhooks/shop/whatsapp',
                headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${i}` },
                payload: JSON.stringify({ object: 'whatsapp_business_account', entry: [] }),
              }
            : {
                url: '/v1/webhooks/shop/twilio/status',
                headers: {
                  'content-type': 'application/x-www-form-urlencoded',
                  'x-twilio-signature': `bad${i}`,
                },
                payload: `MessageSid=SM${i}&MessageStatus=delivered`,
              };
        const reply = await app.inject({ method: 'POST', ...callback });
        expect(reply.statusCode).toBeGreaterThanOrEqual(400);
        expect(reply.statusCode).toBeLessThan(500);
      }
      expect(logs.lines.length).toBeLessThanOrEqual(7);
    } finally {
      await app.close();
    }
  });
});
