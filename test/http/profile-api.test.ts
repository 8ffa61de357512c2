import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  bearer,
  ingestAsProvider,
  openTestTailor,
  sendAccepted,
  type TestTailor,
  workspaceYaml,
} from '../support/test-tailor.ts';

let t: TestTailor;
beforeEach(async () => {
  t = await openTestTailor({ workspaces: ['shop', 'other'] });
});
afterEach(async () => {
  await t.close();
});

function send(path: string, body: Record<string, unknown>): Promise<void> {
  return sendAccepted(t, path, body);
}

function admin(
  method: 'GET' | 'DELETE' | 'PUT',
  url: string,
  payload?: string,
  contentType = 'application/json',
) {
  return t.app.inject({
    method,
    url,
    headers: { authorization: bearer(t.adminKey), ...(payload ? { 'content-type': contentType } : {}) },
    ...(payload ? { payload } : {}),
  });
}

/** A visitor browses anonymously, then signs up: the two profiles become one. */
async function visitorSignsUp() {
  await send('/v1/page', { anonymousId: 'anon-1', name: 'Pricing', timestamp: '2026-03-01T09:00:00Z' });
  // A click on a WhatsApp message is feedback: it comes from the provider, not the write key.
  await ingestAsProvider(t, {
    anonymousId: 'anon-1',
    event: 'Message Clicked',
    properties: { channel: 'whatsapp' },
    timestamp: '2026-03-01T09:01:00Z',
  });
  await send('/v1/identify', {
    userId: 'USR_2048',
    traits: { email: 'Priya@Example.com', phone: '+91 98450 12345', first_name: 'Priya' },
    timestamp: '2026-03-01T09:05:00Z',
  });
  await send('/v1/alias', { userId: 'USR_2048', previousId: 'anon-1', timestamp: '2026-03-01T09:05:01Z' });
  await send('/v1/track', {
    userId: 'USR_2048',
    event: 'Order Completed',
    properties: { revenue: 1499 },
    timestamp: '2026-03-01T09:10:00Z',
  });
}

describe('profile API', () => {
  it('finds one unified profile by any identifier, normalized', async () => {
    await visitorSignsUp();
    const refs = [
      'user_id:USR_2048',
      'email:priya@example.com',
      'email:PRIYA@example.com',
      'phone:+919845012345',
      'anonymous_id:anon-1',
    ];
    const ids = new Set<string>();
    for (const ref of refs) {
      const reply = await admin('GET', `/v1/profiles/${encodeURIComponent(ref)}`);
      expect(reply.statusCode, ref).toBe(200);
      ids.add(reply.json().id);
    }
    expect(ids.size).toBe(1);
    const view = (await admin('GET', `/v1/profiles/${encodeURIComponent('user_id:USR_2048')}`)).json();
    expect(view.identifiers).toMatchObject({
      user_id: ['USR_2048'],
      email: ['priya@example.com'],
      phone: ['+919845012345'],
      anonymous_id: ['anon-1'],
    });
    expect(view.traits.first_name).toBe('Priya');
    expect(view.computed).toMatchObject({ orders: 1, revenue_30d: 1499, preferred_channel: 'whatsapp' });
    expect(view.first_seen).toBe('2026-03-01T09:00:00.000Z');
    expect(view.last_seen).toBe('2026-03-01T09:10:00.000Z');
  });

  it('pages through the timeline, newest first', async () => {
    await visitorSignsUp();
    const first = (await admin('GET', '/v1/profiles/user_id:USR_2048/events?limit=3')).json();
    expect(first.events).toHaveLength(3);
    expect(first.events[0].event).toBe('Order Completed');
    const second = (
      await admin('GET', `/v1/profiles/user_id:USR_2048/events?limit=3&before=${first.next_before}`)
    ).json();
    expect(second.events).toHaveLength(2);
    expect(second.next_before).toBeUndefined();
    expect(second.events.at(-1).name).toBe('Pricing');
  });

  it('records merges with their provenance, and merged ids resolve to the survivor', async () => {
    await send('/v1/page', { anonymousId: 'anon-7', name: 'Home' });
    const before = (await admin('GET', '/v1/profiles/anonymous_id:anon-7')).json().id;
    await send('/v1/identify', { userId: 'u-7', traits: { email: 'seven@example.com' } });
    await send('/v1/identify', { userId: 'u-7', anonymousId: 'anon-7' });
    const merged = (await admin('GET', '/v1/profiles/user_id:u-7')).json();
    const history = (await admin('GET', '/v1/profiles/user_id:u-7/merges')).json().merges;
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      into_id: merged.id,
      identifiers: expect.arrayContaining(['user_id:u-7']),
    });
    expect([history[0].from_id, history[0].into_id]).toContain(before);
    const byOldId = await admin('GET', `/v1/profiles/${history[0].from_id}`);
    expect(byOldId.json().id).toBe(merged.id);
  });

  it('exports everything held on a person and erases it, leaving an audit entry without personal data', async () => {
    await visitorSignsUp();
    const exported = (await admin('GET', '/v1/profiles/email:priya@example.com/export')).json();
    expect(exported.events).toHaveLength(5);
    expect(exported.profile.identifiers.email).toEqual(['priya@example.com']);

    const erased = await admin('DELETE', '/v1/profiles/email:priya@example.com');
    expect(erased.statusCode).toBe(200);
    expect(erased.json().events).toBe(5);
    for (const ref of ['email:priya@example.com', 'anonymous_id:anon-1', `${exported.profile.id}`]) {
      expect((await admin('GET', `/v1/profiles/${encodeURIComponent(ref)}`)).statusCode).toBe(404);
    }
    const audit = (await admin('GET', '/v1/audit')).json().entries;
    expect(audit[0].action).toBe('profile.erased');
    expect(JSON.stringify(audit)).not.toContain('priya');
  });

  it('refuses write keys and other workspaces', async () => {
    await visitorSignsUp();
    const withWriteKey = await t.app.inject({
      method: 'GET',
      url: '/v1/profiles/user_id:USR_2048',
      headers: { authorization: bearer(t.writeKey) },
    });
    expect(withWriteKey.statusCode).toBe(401);
    expect(withWriteKey.json().code).toBe('UNKNOWN_ADMIN_KEY');
    const noKey = await t.app.inject({ method: 'GET', url: '/v1/profiles/user_id:USR_2048' });
    expect(noKey.json().code).toBe('MISSING_ADMIN_KEY');
  });

  it('answers a malformed reference with INVALID_PROFILE_REF', async () => {
    const reply = await admin('GET', '/v1/profiles/nonsense');
    expect(reply.statusCode).toBe(400);
    expect(reply.json().code).toBe('INVALID_PROFILE_REF');
  });

  it('re-computes every profile from the log when a computed trait is added', async () => {
    await visitorSignsUp();
    const yaml = workspaceYaml(
      'shop',
      `  - key: lifetime_value
    aggregate: sum
    events: [Order Completed]
    property: properties.revenue
`,
    );
    const reply = await admin('PUT', '/v1/workspace', yaml, 'application/yaml');
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json().version).toBe(2);
    const view = (await admin('GET', '/v1/profiles/user_id:USR_2048')).json();
    expect(view.computed.lifetime_value).toBe(1499);
    expect(view.computed.orders).toBe(1);
  });

  it('rejects an invalid workspace with the field at fault', async () => {
    const reply = await admin(
      'PUT',
      '/v1/workspace',
      workspaceYaml('shop', '  - key: x\n    aggregate: median\n'),
      'application/yaml',
    );
    expect(reply.statusCode).toBe(400);
    expect(reply.json().code).toBe('INVALID_WORKSPACE');
    expect(JSON.stringify(reply.json().details)).toContain('aggregate');
  });

  it('serves an OpenAPI description of every route', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    for (const path of [
      '/v1/track',
      '/v1/batch',
      '/v1/profiles/{ref}',
      '/v1/profiles/{ref}/events',
      '/v1/workspace',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });
});
