import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { metaEmail, metaPhone, sha256Hex } from '../../../src/activate/ads/match-keys.ts';
import { createMetaAudiencesAdapter } from '../../../src/activate/ads/meta-audiences-adapter.ts';
import type { OutboundMessage } from '../../../src/activate/channel.ts';
import { type LocalMetaAds, startLocalMetaAds } from '../../../src/activate/local/local-meta-ads.ts';
import { channelContract } from '../channel-contract.ts';

const MEERA = 'meera@example.com';

function audienceMessage(id: string, list: string, content: Record<string, unknown> = {}): OutboundMessage {
  return {
    id,
    channel: 'meta_audiences',
    to: MEERA,
    content: { op: 'add', segment: 'high_intent_leads', list, email: MEERA, ...content },
    profileId: 'prf_meera',
  };
}

channelContract('meta_audiences', async () => {
  const provider = await startLocalMetaAds();
  provider.knownPeople([MEERA]);
  const adapter = createMetaAudiencesAdapter({
    baseUrl: provider.baseUrl,
    accessToken: provider.accessToken,
    batchWindowMs: 5,
  });
  // An audience is named by the text, so the provider reports "added to <text>".
  return {
    adapter,
    provider,
    idempotent: false,
    message: (id, text) => audienceMessage(id, provider.createAudience(text)),
  };
});

describe('Meta Custom Audiences adapter', () => {
  let meta: LocalMetaAds;
  beforeEach(async () => {
    meta = await startLocalMetaAds();
  });
  afterEach(async () => {
    await meta.close();
  });

  it('sends a batch as one request with the multi-key schema, hashed rows and a session', async () => {
    const seen: { method: string; body: URLSearchParams; auth: string | null }[] = [];
    const adapter = createMetaAudiencesAdapter({
      baseUrl: meta.baseUrl,
      accessToken: meta.accessToken,
      batchWindowMs: 20,
      fetch: async (url, init) => {
        seen.push({
          method: String(init?.method),
          body: new URLSearchParams(String(init?.body)),
          auth: new Headers(init?.headers).get('authorization'),
        });
        return fetch(url, init);
      },
    });
    const list = meta.createAudience('High intent leads');
    const outcomes = await Promise.all([
      adapter.send(audienceMessage('a', list, { email: ' Meera@Example.com', phone: '+91 98765 43210' })),
      adapter.send(audienceMessage('b', list, { email: 'kavya@example.com' })),
      adapter.send(audienceMessage('c', list, { email: undefined, phone: '+919811122334' })),
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(['sent', 'sent', 'sent']);
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request?.method).toBe('POST');
    expect(request?.auth).toBe(`Bearer ${meta.accessToken}`);
    expect(JSON.parse(request?.body.get('payload') ?? '')).toEqual({
      schema: ['EMAIL', 'PHONE'],
      data: [
        [sha256Hex('meera@example.com'), sha256Hex('919876543210')],
        [sha256Hex('kavya@example.com'), ''],
        ['', sha256Hex('919811122334')],
      ],
    });
    const session = JSON.parse(request?.body.get('session') ?? '');
    expect(session).toMatchObject({ batch_seq: 1, last_batch_flag: true, estimated_num_total: 3 });
    expect(Number.isInteger(session.session_id)).toBe(true);
    expect(meta.members(list).size).toBe(3);
  });

  it('removes with DELETE, and never puts the token in a reason', async () => {
    const list = meta.createAudience('Leads');
    const adapter = createMetaAudiencesAdapter({
      baseUrl: meta.baseUrl,
      accessToken: meta.accessToken,
      batchWindowMs: 1,
    });
    await adapter.send(audienceMessage('a', list));
    expect(meta.members(list).has(sha256Hex(metaEmail(MEERA) ?? ''))).toBe(true);
    expect((await adapter.send(audienceMessage('r', list, { op: 'remove' }))).kind).toBe('sent');
    expect(meta.members(list).size).toBe(0);
    expect(meta.requests().map((r) => r.method)).toEqual(['POST', 'DELETE']);
    const wrong = createMetaAudiencesAdapter({
      baseUrl: meta.baseUrl,
      accessToken: 'EAAwrong-token',
      batchWindowMs: 1,
    });
    const refused = await wrong.send(audienceMessage('x', list));
    expect(refused).toMatchObject({ kind: 'failed', unreachable: false });
    if (refused.kind === 'failed') expect(refused.reason).toContain('code 190');
  });

  it('fails a send without an address Meta can match before calling, and an unknown audience for good', async () => {
    const adapter = createMetaAudiencesAdapter({
      baseUrl: meta.baseUrl,
      accessToken: meta.accessToken,
      batchWindowMs: 1,
    });
    const none = await adapter.send(audienceMessage('n', '1', { email: 'not-an-address', phone: '12' }));
    expect(none).toMatchObject({ kind: 'failed', unreachable: true });
    expect(meta.requests()).toHaveLength(0);
    const gone = await adapter.send(audienceMessage('g', '999'));
    expect(gone).toMatchObject({ kind: 'failed', unreachable: false });
    expect(metaPhone('+91 98765 43210')).toBe('919876543210');
  });
});
