import { createServer } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FeedbackEvent, OutboundMessage, SendOutcome } from '../../src/activate/channel.ts';
import {
  deliverWebhook,
  type LocalWhatsApp,
  signWebhook,
  startLocalWhatsApp,
  subscribeWebhook,
  whatsAppReplyWebhook,
  whatsAppStatusWebhook,
} from '../../src/activate/local/local-whatsapp.ts';
import { createWhatsAppAdapter } from '../../src/activate/whatsapp/whatsapp-adapter.ts';
import {
  readWebhook,
  verifySignature,
  verifySubscription,
} from '../../src/activate/whatsapp/whatsapp-webhook.ts';
import { DEFAULT_IDENTITY_RULES } from '../../src/identity/identity-rules.ts';
import { normalizeIdentifier } from '../../src/identity/normalize-identifier.ts';
import { channelContract } from './channel-contract.ts';

const MEERA = '919876543210';
const AT = Date.parse('2026-03-01T10:00:00Z');

function whatsappMessage(id: string, content: Record<string, unknown>, to = MEERA): OutboundMessage {
  return { id, channel: 'whatsapp', to, content, profileId: 'prf_meera' };
}

channelContract('whatsapp', async () => {
  const provider = await startLocalWhatsApp();
  const adapter = createWhatsAppAdapter({
    baseUrl: provider.baseUrl,
    phoneNumberId: provider.phoneNumberId,
    accessToken: provider.accessToken,
  });
  return { adapter, provider, idempotent: false, message: (id, text) => whatsappMessage(id, { text }) };
});

describe('WhatsApp adapter', () => {
  let provider: LocalWhatsApp;
  beforeEach(async () => {
    provider = await startLocalWhatsApp();
  });
  afterEach(async () => {
    await provider.close();
  });

  const adapterFor = (overrides: { accessToken?: string; phoneNumberId?: string } = {}) =>
    createWhatsAppAdapter({
      baseUrl: provider.baseUrl,
      phoneNumberId: overrides.phoneNumberId ?? provider.phoneNumberId,
      accessToken: overrides.accessToken ?? provider.accessToken,
    });

  it('sends a text message in the Cloud API shape, with the send id as callback data', async () => {
    const outcome = await adapterFor().send(
      whatsappMessage('dec-9:whatsapp', { text: 'See https://example.com', preview_url: true }),
    );
    expect(outcome.kind).toBe('sent');
    const [sent] = provider.accepted();
    if (outcome.kind === 'sent') expect(outcome.providerMessageId).toBe(sent?.wamid);
    expect(sent?.wamid).toMatch(/^wamid\./);
    expect(sent?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: MEERA,
      type: 'text',
      text: { body: 'See https://example.com', preview_url: true },
      biz_opaque_callback_data: 'dec-9:whatsapp',
    });
  });

  it('sends template messages, with the language as a code or an object and optional components', async () => {
    const components = [{ type: 'body', parameters: [{ type: 'text', text: 'Meera' }] }];
    const adapter = adapterFor();
    const first = await adapter.send(
      whatsappMessage('t-1', { template: { name: 'renewal_reminder', language: 'en_US', components } }),
    );
    const second = await adapter.send(
      whatsappMessage('t-2', { template: { name: 'hello_world', language: { code: 'en' } } }),
    );
    expect([first.kind, second.kind]).toEqual(['sent', 'sent']);
    const [withParameters, plain] = provider.accepted();
    expect(withParameters?.body).toMatchObject({
      type: 'template',
      template: { name: 'renewal_reminder', language: { code: 'en_US' }, components },
    });
    expect(withParameters?.text).toBe('renewal_reminder Meera');
    expect(plain?.body).toMatchObject({
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en' } },
    });
    expect(plain?.body).not.toHaveProperty('template.components');
  });

  it('sends to digits only, whether `to` is written with a plus, spaces or dashes', async () => {
    const adapter = adapterFor();
    for (const to of ['+919876543210', '+91 98765-43210', '919876543210']) {
      expect((await adapter.send(whatsappMessage(`d-${to}`, { text: 'hi' }, to))).kind).toBe('sent');
    }
    expect(provider.accepted().map((message) => message.to)).toEqual([MEERA, MEERA, MEERA]);
  });

  it('refuses content and addresses it cannot send without calling the API', async () => {
    const adapter = adapterFor();
    const cases: [Record<string, unknown>, string, boolean][] = [
      [{ text: '' }, MEERA, false],
      [{ subject: 'an email' }, MEERA, false],
      [{ template: { language: 'en' } }, MEERA, false],
      [{ template: { name: 'hello_world' } }, MEERA, false],
      [{ template: { name: 'hello_world', language: 'en', components: 'body' } }, MEERA, false],
      [{ text: 'hi' }, 'meera@example.com', true],
      [{ text: 'hi' }, '+12', true],
    ];
    for (const [content, to, unreachable] of cases) {
      const outcome = await adapter.send(whatsappMessage('bad', content, to));
      expect(outcome).toMatchObject({ kind: 'failed', unreachable });
    }
    expect(provider.requests()).toHaveLength(0);
  });

  it('answers failed, not unreachable, on a rejected token, and never shows the token', async () => {
    const wrong = 'EAAwrong-token-0123456789';
    const outcome = await adapterFor({ accessToken: wrong }).send(whatsappMessage('a-1', { text: 'hi' }));
    expect(outcome).toMatchObject({ kind: 'failed', unreachable: false });
    if (outcome.kind === 'failed') {
      expect(outcome.reason).toContain('access token');
      expect(outcome.reason).not.toContain(wrong);
    }
    expect(JSON.stringify(outcome)).not.toContain(provider.accessToken);
    expect(provider.accepted()).toHaveLength(0);
  });

  it('answers failed for a phone-number id the token cannot send from', async () => {
    const outcome = await adapterFor({ phoneNumberId: '999' }).send(whatsappMessage('p-1', { text: 'hi' }));
    expect(outcome).toMatchObject({ kind: 'failed', unreachable: false });
  });
});

describe('WhatsApp adapter classification', () => {
  const token = 'EAAsecret-token-value';

  function stubbed(answer: () => Promise<Response>): (message: OutboundMessage) => Promise<SendOutcome> {
    const adapter = createWhatsAppAdapter({ phoneNumberId: '1065', accessToken: token, fetch: answer });
    return (message) => adapter.send(message);
  }

  function graph(
    status: number,
    code: number,
    headers: Record<string, string> = {},
  ): () => Promise<Response> {
    const body = {
      error: { message: `(#${code}) boom ${token}`, type: 'OAuthException', code, fbtrace_id: 'Ax' },
    };
    return async () => new Response(JSON.stringify(body), { status, headers });
  }

  const table: [string, () => Promise<Response>, Partial<SendOutcome> & { kind: SendOutcome['kind'] }][] = [
    ['131026 undeliverable', graph(400, 131026), { kind: 'failed', unreachable: true }],
    ['131030 not in the allowed list', graph(400, 131030), { kind: 'failed', unreachable: false }],
    ['131047 re-engagement', graph(400, 131047), { kind: 'failed', unreachable: false }],
    ['131051 unsupported type', graph(400, 131051), { kind: 'failed', unreachable: false }],
    ['100 invalid parameter', graph(400, 100), { kind: 'failed', unreachable: false }],
    ['190 expired token on a 400', graph(400, 190), { kind: 'failed', unreachable: false }],
    ['403 permission', graph(403, 10), { kind: 'failed', unreachable: false }],
    ['130429 throughput on a 400', graph(400, 130429), { kind: 'retry' }],
    ['131056 pair rate limit', graph(400, 131056), { kind: 'retry' }],
    [
      '80007 account rate limit, Retry-After',
      graph(400, 80007, { 'retry-after': '3' }),
      { kind: 'retry', retryAfterMs: 3000 },
    ],
    ['429 without Retry-After', graph(429, 4), { kind: 'retry' }],
    ['503 with no JSON', async () => new Response('<html>down</html>', { status: 503 }), { kind: 'retry' }],
    ['131000 temporary on a 400', graph(400, 131000), { kind: 'retry' }],
    [
      '200 without a message id',
      async () => new Response(JSON.stringify({ messaging_product: 'whatsapp' }), { status: 200 }),
      { kind: 'failed', unreachable: false },
    ],
    [
      'network error',
      async () => {
        throw new TypeError('fetch failed', { cause: new Error(`connect ECONNREFUSED ${token}`) });
      },
      { kind: 'retry' },
    ],
    [
      'timeout',
      async () => {
        throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
      },
      { kind: 'retry' },
    ],
  ];

  for (const [name, answer, expected] of table) {
    it(`classifies ${name}`, async () => {
      const outcome = await stubbed(answer)(whatsappMessage('c-1', { text: 'hi' }));
      expect(outcome).toMatchObject(expected);
      if (outcome.kind !== 'sent') expect(outcome.reason).not.toContain(token);
      if (outcome.kind === 'retry' && !('retryAfterMs' in expected))
        expect(outcome.retryAfterMs).toBeUndefined();
    });
  }

  it('posts to {baseUrl}/{phone-number-id}/messages with the Bearer token', async () => {
    const calls: { url: string; authorization: string | null }[] = [];
    const adapter = createWhatsAppAdapter({
      phoneNumberId: '1065',
      accessToken: token,
      fetch: async (url, init) => {
        calls.push({ url: String(url), authorization: new Headers(init?.headers).get('authorization') });
        return new Response(JSON.stringify({ messages: [{ id: 'wamid.X' }] }), { status: 200 });
      },
    });
    expect(await adapter.send(whatsappMessage('u-1', { text: 'hi' }))).toEqual({
      kind: 'sent',
      providerMessageId: 'wamid.X',
    });
    expect(calls).toEqual([
      { url: 'https://graph.facebook.com/v21.0/1065/messages', authorization: `Bearer ${token}` },
    ]);
  });
});

describe('WhatsApp webhook verification', () => {
  const query = (token: string, extra: Record<string, unknown> = {}) => ({
    'hub.mode': 'subscribe',
    'hub.verify_token': token,
    'hub.challenge': '1158201444',
    ...extra,
  });

  it('echoes the challenge when the verify token matches', () => {
    expect(verifySubscription(query('tailor-verify'), 'tailor-verify')).toEqual({
      status: 200,
      body: '1158201444',
    });
  });

  it('refuses a wrong token, another mode, a missing challenge or an unconfigured token', () => {
    expect(verifySubscription(query('guess'), 'tailor-verify')).toEqual({ status: 403 });
    expect(
      verifySubscription(query('tailor-verify', { 'hub.mode': 'unsubscribe' }), 'tailor-verify').status,
    ).toBe(403);
    expect(
      verifySubscription(query('tailor-verify', { 'hub.challenge': undefined }), 'tailor-verify').status,
    ).toBe(403);
    expect(verifySubscription(query(''), '').status).toBe(403);
    expect(verifySubscription({}, 'tailor-verify').status).toBe(403);
  });

  const secret = 'app-secret-1';
  const body = Buffer.from(JSON.stringify(whatsAppReplyWebhook({ from: MEERA, text: 'yes', timestamp: AT })));

  it('accepts the signature Meta computes over the raw body', () => {
    expect(verifySignature(body, signWebhook(body, secret), secret)).toBe(true);
    expect(
      verifySignature(body, signWebhook(body, secret).toUpperCase().replace('SHA256=', 'sha256='), secret),
    ).toBe(true);
  });

  it('rejects forged, missing, malformed and wrong-secret signatures, and altered bodies', () => {
    const good = signWebhook(body, secret);
    expect(verifySignature(body, `sha256=${'0'.repeat(64)}`, secret)).toBe(false);
    expect(verifySignature(body, undefined, secret)).toBe(false);
    expect(verifySignature(body, '', secret)).toBe(false);
    expect(verifySignature(body, good.replace('sha256=', 'sha1='), secret)).toBe(false);
    expect(verifySignature(body, good.slice(0, -2), secret)).toBe(false);
    expect(verifySignature(body, signWebhook(body, 'another-secret'), secret)).toBe(false);
    expect(verifySignature(Buffer.concat([body, Buffer.from(' ')]), good, secret)).toBe(false);
    expect(verifySignature(body, good, '')).toBe(false);
  });
});

describe('WhatsApp webhook reading', () => {
  const statuses = [
    ['sent', 'Message Sent'],
    ['delivered', 'Message Delivered'],
    ['read', 'Message Read'],
    ['failed', 'Message Failed'],
  ] as const;

  for (const [status, event] of statuses) {
    it(`reads a ${status} status as ${event}`, () => {
      const payload = whatsAppStatusWebhook({ wamid: 'wamid.A1', status, recipient: MEERA, timestamp: AT });
      const [read, ...rest] = readWebhook(payload);
      expect(rest).toHaveLength(0);
      expect(read).toMatchObject({
        event,
        timestamp: AT,
        identifier: { type: 'whatsapp', value: '+919876543210' },
        properties: { channel: 'whatsapp', provider_message_id: 'wamid.A1' },
        messageId: `wamid.A1:${status}`,
      });
    });
  }

  it('gives a failure its reason, error code and whether the number is unreachable', () => {
    const undeliverable = readWebhook(
      whatsAppStatusWebhook({ wamid: 'wamid.F', status: 'failed', recipient: MEERA, timestamp: AT }),
    );
    expect(undeliverable[0]?.properties).toMatchObject({ error_code: 131026, unreachable: true });
    expect(undeliverable[0]?.properties.reason).toContain('Message undeliverable (code 131026)');
    const window = readWebhook(
      whatsAppStatusWebhook({
        wamid: 'wamid.G',
        status: 'failed',
        recipient: MEERA,
        timestamp: AT,
        errors: [{ code: 131047, title: 'Re-engagement message' }],
      }),
    );
    expect(window[0]?.properties).toMatchObject({
      reason: 'Re-engagement message (code 131047)',
      error_code: 131047,
      unreachable: false,
    });
  });

  it('names the send a status is about when it carries callback data', () => {
    const payload = whatsAppStatusWebhook({
      wamid: 'wamid.B',
      status: 'delivered',
      recipient: `+${MEERA}`,
      timestamp: AT,
      callbackData: 'dec-9:whatsapp',
    });
    expect(readWebhook(payload)[0]?.properties.send_id).toBe('dec-9:whatsapp');
  });

  it('reads an inbound reply, with the message it quotes', () => {
    const payload = whatsAppReplyWebhook({
      from: MEERA,
      text: 'Yes please, renew it',
      timestamp: AT,
      id: 'wamid.IN1',
      contextId: 'wamid.A1',
    });
    expect(readWebhook(payload)).toEqual([
      {
        event: 'Message Replied',
        timestamp: AT,
        identifier: { type: 'whatsapp', value: '+919876543210' },
        properties: {
          channel: 'whatsapp',
          provider_message_id: 'wamid.IN1',
          message_type: 'text',
          text: 'Yes please, renew it',
          in_reply_to: 'wamid.A1',
        },
        messageId: 'wamid.IN1',
      },
    ]);
    const plain = readWebhook(whatsAppReplyWebhook({ from: MEERA, text: 'hello', timestamp: AT }));
    expect(plain[0]?.properties).not.toHaveProperty('in_reply_to');
  });

  it('reads quick-reply buttons and captions as the reply text, and skips system notices', () => {
    const payload = whatsAppReplyWebhook({ from: MEERA, text: 'x', timestamp: AT });
    const value = payload.entry[0]?.changes[0]?.value;
    if (value === undefined) throw new Error('no value');
    const base = { from: MEERA, timestamp: String(AT / 1000) };
    const messages: Record<string, unknown>[] = [
      { ...base, id: 'wamid.B1', type: 'button', button: { text: 'Renew now', payload: 'renew' } },
      {
        ...base,
        id: 'wamid.B2',
        type: 'interactive',
        interactive: { type: 'list_reply', list_reply: { id: 'a', title: 'Annual' } },
      },
      { ...base, id: 'wamid.B3', type: 'image', image: { id: 'media-1', caption: 'my receipt' } },
      { ...base, id: 'wamid.B4', type: 'system', system: { body: 'changed number' } },
    ];
    const events = readWebhook({
      ...payload,
      entry: [{ id: '1', changes: [{ field: 'messages', value: { ...value, messages } }] }],
    });
    expect(events.map((event) => [event.messageId, event.properties.text])).toEqual([
      ['wamid.B1', 'Renew now'],
      ['wamid.B2', 'Annual'],
      ['wamid.B3', 'my receipt'],
    ]);
  });

  it('addresses people in the E.164 form identity resolution keeps for `whatsapp`', () => {
    const [event] = readWebhook(whatsAppReplyWebhook({ from: MEERA, text: 'hi', timestamp: AT }));
    const normalized = normalizeIdentifier({ type: 'whatsapp', raw: MEERA, rules: DEFAULT_IDENTITY_RULES });
    expect(event?.identifier).toEqual(normalized);
  });

  it('gives a redelivered callback the same messageId, and each status of one message its own', () => {
    const status = (value: 'sent' | 'delivered') =>
      whatsAppStatusWebhook({ wamid: 'wamid.D', status: value, recipient: MEERA, timestamp: AT });
    const ids = (events: FeedbackEvent[]) => events.map((event) => event.messageId);
    expect(ids(readWebhook(status('delivered')))).toEqual(ids(readWebhook(status('delivered'))));
    expect(ids(readWebhook(status('sent')))).not.toEqual(ids(readWebhook(status('delivered'))));
    const reply = whatsAppReplyWebhook({ from: MEERA, text: 'ok', timestamp: AT, id: 'wamid.R' });
    expect(ids(readWebhook(reply))).toEqual(ids(readWebhook(JSON.parse(JSON.stringify(reply)))));
  });

  it('reads several entries, changes and items of one payload', () => {
    const a = whatsAppStatusWebhook({ wamid: 'wamid.1', status: 'sent', recipient: MEERA, timestamp: AT });
    const b = whatsAppReplyWebhook({ from: '14155550123', text: 'hi', timestamp: AT, id: 'wamid.2' });
    const events = readWebhook({ ...a, entry: [...a.entry, ...b.entry] });
    expect(events.map((event) => [event.event, event.identifier.value])).toEqual([
      ['Message Sent', '+919876543210'],
      ['Message Replied', '+14155550123'],
    ]);
  });

  it('yields no events for malformed payloads, and never throws', () => {
    const good = whatsAppStatusWebhook({ wamid: 'wamid.M', status: 'read', recipient: MEERA, timestamp: AT });
    const value = good.entry[0]?.changes[0]?.value;
    const withStatus = (status: unknown) => ({
      object: 'whatsapp_business_account',
      entry: [{ id: '1', changes: [{ field: 'messages', value: { ...value, statuses: [status] } }] }],
    });
    const malformed: unknown[] = [
      undefined,
      null,
      'text',
      42,
      [],
      {},
      { ...good, object: 'page' },
      { object: 'whatsapp_business_account', entry: 'nope' },
      {
        object: 'whatsapp_business_account',
        entry: [null, 3, { changes: 'x' }, { changes: [null, { field: 'messages' }] }],
      },
      {
        object: 'whatsapp_business_account',
        entry: [{ id: '1', changes: [{ field: 'account_update', value }] }],
      },
      withStatus({ id: 'wamid.M', status: 'deleted', timestamp: '1772359200', recipient_id: MEERA }),
      withStatus({ id: 'wamid.M', status: 'read', timestamp: 'yesterday', recipient_id: MEERA }),
      withStatus({ id: 'wamid.M', status: 'read', timestamp: '1772359200', recipient_id: 'not-a-number' }),
      withStatus({ status: 'read', timestamp: '1772359200', recipient_id: MEERA }),
      withStatus({ id: 'wamid.M', status: 'toString', timestamp: '1772359200', recipient_id: MEERA }),
      withStatus('read'),
    ];
    for (const payload of malformed) expect(readWebhook(payload)).toEqual([]);
  });
});

describe('WhatsApp webhooks over HTTP', () => {
  it('delivers signed webhooks that the receiver verifies and reads, and performs the handshake', async () => {
    const secret = 'app-secret-2';
    const received: FeedbackEvent[] = [];
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (request.method === 'GET') {
        const answer = verifySubscription(Object.fromEntries(url.searchParams), 'verify-me');
        response.writeHead(answer.status, { 'content-type': 'text/plain' });
        response.end(answer.status === 200 ? answer.body : '');
        return;
      }
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const raw = Buffer.concat(chunks);
        const header = request.headers['x-hub-signature-256'];
        if (!verifySignature(raw, typeof header === 'string' ? header : undefined, secret)) {
          response.writeHead(401).end();
          return;
        }
        received.push(...readWebhook(JSON.parse(raw.toString('utf8'))));
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/whatsapp`;
    try {
      const good = await subscribeWebhook(url, 'verify-me', 'challenge-42');
      expect([good.status, await good.text()]).toEqual([200, 'challenge-42']);
      expect((await subscribeWebhook(url, 'wrong')).status).toBe(403);

      const status = whatsAppStatusWebhook({
        wamid: 'wamid.H',
        status: 'read',
        recipient: MEERA,
        timestamp: AT,
      });
      expect((await deliverWebhook(url, status, secret)).status).toBe(200);
      expect((await deliverWebhook(url, status, 'not-the-secret')).status).toBe(401);
      expect(received.map((event) => event.messageId)).toEqual(['wamid.H:read']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
