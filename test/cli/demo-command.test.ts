import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_NETWORK_POLICY, DEMO_WORKSPACE_FILE } from '../../src/app/settings.ts';
import { demoCommand } from '../../src/cli/demo-command.ts';
import { demoChannels, portOf } from '../../src/cli/demo-providers.ts';
import { Activation } from '../../src/dispatch/activation.ts';
import { hashKey } from '../../src/engine/api-keys.ts';
import { Engine } from '../../src/engine/engine.ts';
import { buildServer } from '../../src/http/server.ts';
import { silentLogger } from '../../src/logger.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { readWorkspaceFile } from '../../src/workspace/read-workspace-file.ts';

const NOW = Date.parse('2026-06-01T12:00:00Z');
let close: (() => Promise<void>) | undefined;

afterEach(async () => {
  await close?.();
});

/** A Tailor with the demo workspace and its activation, listening on a free port. */
async function openDemoServer(): Promise<{ url: string; engine: Engine }> {
  const store = new SqliteStore({ path: ':memory:' });
  const engine = await Engine.open({ store, clock: () => NOW + 60_000 });
  await engine.applyWorkspace(await readWorkspaceFile(DEMO_WORKSPACE_FILE, { network: DEMO_NETWORK_POLICY }));
  await store.addKey({ workspaceId: 'demo', kind: 'write', hash: hashKey('wk_demo_test') });
  await store.addKey({ workspaceId: 'demo', kind: 'admin', hash: hashKey('ak_demo_test') });
  const activation = new Activation({
    engine,
    logger: silentLogger,
    env: {},
    pollMs: 50,
    network: DEMO_NETWORK_POLICY,
  });
  await activation.start();
  const app = await buildServer({ engine, activation, network: DEMO_NETWORK_POLICY });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  close = async () => {
    await app.close();
    await activation.stop();
    await engine.close();
  };
  return { url, engine };
}

describe('tailor demo', () => {
  it('tells the demo story through the public API: one profile, WhatsApp preferred, a high-intent lead', async () => {
    const { url, engine } = await openDemoServer();

    const printed: string[] = [];
    const {
      profile,
      summary,
      derived,
      decisions,
      activation: loop,
    } = await demoCommand({
      connection: { url, writeKey: 'wk_demo_test', adminKey: 'ak_demo_test' },
      now: NOW,
      print: (line) => printed.push(line),
    });

    expect(profile.identifiers).toEqual({
      // Her replies come from the provider's signed webhook, which names her by number only.
      anonymous_id: ['demo-visitor-7f3a'],
      user_id: ['USR_4096'],
      email: ['meera@example.com'],
      phone: ['+919820155555'],
      whatsapp: ['+919820155555'],
    });
    expect((profile.computed as Record<string, unknown>).preferred_channel).toBe('whatsapp');
    const intent = (profile.scores as Record<string, { value: number; label: string }>).intent;
    expect(intent?.label).toBe('high');
    expect(profile.lifecycle_stage).toBe('high_intent_lead');
    expect(summary.join('\n')).toMatch(/preferred channel: whatsapp/);
    expect(summary.join('\n')).toMatch(/lifecycle stage: high_intent_lead/);
    // A first line says so when the workspace's provider ports were taken (by another test).
    const story = printed.filter((line) => !line.startsWith('local providers on free ports'));
    expect(story[0]).toMatch(/^sent 10 events/);
    expect(story[1]).toMatch(/^delivered 3 signed WhatsApp webhooks/);

    // The checkout 50 minutes ago was never completed: 30 minutes after it, the risk was set.
    const checkoutAt = NOW - 50 * 60_000;
    expect(profile.risks).toEqual({
      checkout_abandonment: {
        at: new Date(checkoutAt + 30 * 60_000).toISOString(),
        since: new Date(checkoutAt).toISOString(),
      },
    });
    expect(Object.keys(profile.segments as object).sort()).toEqual([
      'high_intent_leads',
      'viewed_pricing_this_week',
      'whatsapp_responders',
    ]);
    const abandonedAt = new Date(checkoutAt + 30 * 60_000).toISOString();
    expect(derived.find((event) => event.event === 'Checkout Abandoned')).toEqual({
      event: 'Checkout Abandoned',
      timestamp: abandonedAt,
      properties: { risk: 'checkout_abandonment', started_at: new Date(checkoutAt).toISOString() },
    });
    // It starts the checkout_recovery journey, whose first step decides (the reminder below).
    expect(derived.slice(-3)).toEqual([
      { event: 'Checkout Abandoned', timestamp: abandonedAt, properties: expect.any(Object) },
      { event: 'Journey Entered', timestamp: abandonedAt, properties: { journey: 'checkout_recovery' } },
      {
        event: 'Journey Step',
        timestamp: abandonedAt,
        properties: { journey: 'checkout_recovery', step: 'remind' },
      },
    ]);
    expect(derived.map((event) => event.event)).toContain('Lifecycle Stage Changed');
    expect(summary.join('\n')).toMatch(/risks: checkout_abandonment/);

    // Decisions: Meera gets the checkout reminder on WhatsApp now (17:31 in Mumbai), with her name.
    expect(decisions.meera.action).toMatchObject({
      outcome: 'action',
      action: 'send_personalized_checkout_reminder',
      channel: 'whatsapp',
      timing: 'immediate',
      context: {
        intent: 'high',
        risk: 'checkout_abandonment',
        preferred_channel: 'whatsapp',
        recommended_action: 'send_personalized_checkout_reminder',
        timing: 'immediate',
      },
    });
    expect(decisions.meera.action?.content?.text).toMatch(/^Hi Meera, your annual plan is waiting/);
    expect(decisions.bangaloreVisitor.placements.home_banner?.variant).toBe('bangalore');
    expect(decisions.repeatCustomer.placements.offer_block?.variant).toBe('loyalty');
    expect(decisions.capped.action?.outcome).toBe('no_action');
    expect(decisions.capped.action?.reason).toMatch(/at most 1 whatsapp per 1d/);
    expect(summary.join('\n')).toMatch(/Arjun, sent a WhatsApp message an hour ago: no action \(/);

    // Activation: the reminder reached the local WhatsApp server; its callbacks and her reply
    // came back through the signed webhook; the order ended the risk; Kavya's STOP withdrew SMS.
    expect(loop.reminder?.to).toBe('919820155555');
    expect(loop.reminder?.text).toMatch(/^Hi Meera, your annual plan is waiting/);
    expect(loop.messageEvents).toEqual([
      'Message Sent',
      'Message Delivered',
      'Message Read',
      'Message Replied',
    ]);
    expect(loop.preferredChannel).toBe('whatsapp');
    expect(loop.afterOrder).toEqual({ risks: {}, stage: 'customer', journey: 'converted' });
    // A customer now, she left high_intent_leads, and so the Meta Custom Audience that mirrors it.
    expect(loop.audience).toBe('removed from High intent leads');
    expect(summary.join('\n')).toMatch(
      /Meta Custom Audiences: Meera, now a customer, removed from High intent leads/,
    );
    expect(loop.kavya.before.action).toMatchObject({ action: 'send_sms_loyalty_offer', channel: 'sms' });
    expect(loop.kavya.sms).toMatch(/^Hi Kavya, free shipping/);
    expect(loop.kavya.smsConsent).toBe(false);
    expect(loop.kavya.after.action?.outcome).toBe('no_action');
    expect(loop.kavya.after.action?.reason).toMatch(/sms: consent/);

    // Her reply quoted the reminder, so it is attributed to the decision that sent it.
    const meera = await engine.reads.findProfile('demo', 'user_id:USR_4096');
    const events = (await engine.reads.timeline('demo', meera?.id ?? '', { limit: 100 })).events;
    const decision = events.find(
      (event) =>
        event.event === 'Decision Made' && event.properties['trigger'] === 'journey:checkout_recovery:remind',
    );
    const reply = events.find(
      (event) => event.event === 'Message Replied' && event.properties['in_reply_to'],
    );
    expect(reply?.properties['decision_id']).toBe(decision?.messageId);
  });

  it('can be run again on the same data, with the ports it used taken: new people, the same story', async () => {
    const { url } = await openDemoServer();
    const connection = { url, writeKey: 'wk_demo_test', adminKey: 'ak_demo_test' };
    const first = await demoCommand({ connection, now: NOW, print: () => {} });
    expect(first.cast.run).toBe(1);
    // Something else now listens where the first run's providers did.
    const channels = await demoChannels(connection);
    const blockers = await Promise.all(
      [portOf(channels.whatsapp), portOf(channels.sms), portOf(channels.meta)].map((port) =>
        occupy(port ?? 0),
      ),
    );
    try {
      const printed: string[] = [];
      const second = await demoCommand({ connection, now: NOW, print: (line) => printed.push(line) });
      expect(second.cast.run).toBe(2);
      expect(printed[0]).toMatch(/^local providers on free ports/);
      expect(printed).toContain('run 2 on this data: new people, e.g. Meera is meera+2@example.com');
      expect(second.profile.identifiers).toEqual({
        anonymous_id: ['demo-visitor-7f3a_2'],
        user_id: ['USR_4096_2'],
        email: ['meera+2@example.com'],
        phone: ['+919820155556'],
        whatsapp: ['+919820155556'],
      });
      const told = second.summary.join('\n');
      expect(told).not.toMatch(/did not reach|received nothing/);
      expect(second.activation.reminder?.to).toBe('919820155556');
      expect(second.activation.messageEvents).toEqual([
        'Message Sent',
        'Message Delivered',
        'Message Read',
        'Message Replied',
      ]);
      expect(second.activation.afterOrder).toEqual({ risks: {}, stage: 'customer', journey: 'converted' });
      expect(second.activation.kavya.sms).toMatch(/^Hi Kavya, free shipping/);
      expect(second.activation.kavya.smsConsent).toBe(false);
      expect(second.decisions.capped.action?.reason).toMatch(/at most 1 whatsapp per 1d/);
    } finally {
      for (const blocker of blockers) await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

/** Listens on `port` (127.0.0.1) so nothing else can. */
async function occupy(port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return server;
}
