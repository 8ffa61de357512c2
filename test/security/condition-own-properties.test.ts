import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileCondition } from '../../src/conditions/compile-condition.ts';
import { memoryBehaviourSource } from '../../src/conditions/memory-behaviour-source.ts';
import { compileContent } from '../../src/decide/compiled-content.ts';
import { renderContent } from '../../src/decide/render-content.ts';
import type { ErrorDetail } from '../../src/errors.ts';
import { compileEventPath } from '../../src/profile/computed/event-path.ts';
import { basic, bearer, openTestTailor, type TestTailor, workspaceYaml } from '../support/test-tailor.ts';

/** Names every JavaScript object inherits: none of them is data a profile holds. */
const INHERITED = ['constructor', '__proto__', 'toString', 'hasOwnProperty'] as const;

describe('conditions read own properties only', () => {
  it.each(INHERITED)('`traits.%s: { $exists: true }` matches no profile without such a trait', (name) => {
    const exists = compileCondition({ [`traits.${name}`]: { $exists: true } });
    expect(exists({ traits: {} })).toBe(false);
    expect(exists({ traits: { first_name: 'Asha' } })).toBe(false);
    expect(exists({ traits: { tags: ['vip'] } })).toBe(false);
    const missing = compileCondition({ [`traits.${name}`]: null });
    expect(missing({ traits: {} })).toBe(true);
  });

  it.each(INHERITED)('`%s` deeper in a path, on objects and arrays, reads as missing', (name) => {
    const context = { traits: { address: { city: 'Pune' }, tags: ['vip'] } };
    for (const path of [`traits.address.${name}`, `traits.tags.${name}`, `${name}`, `traits.${name}.name`]) {
      expect(compileCondition({ [path]: { $exists: true } })(context)).toBe(false);
      expect(compileCondition({ [path]: { $type: 'null' } })(context)).toBe(true);
    }
  });

  it.each(INHERITED)('a trait really named `%s` (as JSON gives it) is read', (name) => {
    const traits: unknown = JSON.parse(`{ "${name}": "set" }`);
    const matches = compileCondition({ [`traits.${name}`]: 'set' });
    expect(matches({ traits })).toBe(true);
  });

  it('array indexes and `length` are still keys', () => {
    const matches = compileCondition({ 'traits.tags.0': 'vip', 'traits.tags.length': 2 });
    expect(matches({ traits: { tags: ['vip', 'early'] } })).toBe(true);
  });

  it.each(INHERITED)('`$elemMatch` and `$performed.where` on `%s` see only own keys', (name) => {
    const elem = compileCondition({ 'traits.orders': { $elemMatch: { [name]: { $exists: true } } } });
    expect(elem({ traits: { orders: [{ sku: 'A1' }] } })).toBe(false);
    const now = Date.parse('2026-03-01T10:00:00Z');
    const performed = compileCondition({
      $performed: { event: 'Order Completed', where: { [name]: { $exists: true } } },
    });
    const source = memoryBehaviourSource([
      { event: 'Order Completed', timestamp: now - 1_000, properties: { total: 5 } },
    ]);
    expect(performed({}, now, source)).toBe(false);
  });
});

describe('other readers of paths', () => {
  it.each(INHERITED)('a computed trait property path `properties.%s` reads nothing', (name) => {
    const read = compileEventPath(`properties.${name}`);
    expect(
      read({
        type: 'track',
        event: 'Order Completed',
        messageId: 'm1',
        timestamp: 0,
        receivedAt: 0,
        properties: { total: 5 },
        traits: {},
        context: {},
        integrations: {},
      }),
    ).toBeUndefined();
  });

  it.each(INHERITED)('a Liquid template reading `profile.traits.%s` renders nothing', (name) => {
    const issues: ErrorDetail[] = [];
    const content = compileContent({ title: `[{{ profile.traits.${name} }}]` }, 'content', issues, 'html');
    expect(issues).toEqual([]);
    const rendered = renderContent(content, { profile: { traits: { first_name: 'Asha' } } });
    expect(rendered).toEqual({ content: { title: '[]' }, errors: [] });
  });
});

describe('through the HTTP API', () => {
  let t: TestTailor;
  beforeEach(async () => {
    t = await openTestTailor();
  });
  afterEach(async () => {
    await t.close();
  });

  it('a segment on `traits.constructor` does not take in every identified person', async () => {
    const segments = INHERITED.map(
      (name, i) =>
        `  - key: inherited_${i}\n    name: Inherited ${name}\n    when: { traits.${name}: { $exists: true } }\n`,
    ).join('');
    const applied = await t.app.inject({
      method: 'PUT',
      url: '/v1/workspace',
      headers: { authorization: bearer(t.adminKey), 'content-type': 'application/yaml' },
      payload: `${workspaceYaml('shop')}segments:\n${segments}`,
    });
    expect(applied.statusCode, applied.body).toBe(200);
    const identify = await t.app.inject({
      method: 'POST',
      url: '/v1/identify',
      headers: { 'content-type': 'application/json', authorization: basic(t.writeKey) },
      payload: JSON.stringify({ userId: 'u1', traits: { first_name: 'Asha' } }),
    });
    expect(identify.statusCode, identify.body).toBe(200);
    const profile = await t.app.inject({
      method: 'GET',
      url: '/v1/profiles/user_id:u1',
      headers: { authorization: bearer(t.adminKey) },
    });
    expect(profile.statusCode, profile.body).toBe(200);
    expect(profile.json().traits).toMatchObject({ first_name: 'Asha' });
    expect(JSON.stringify(profile.json().segments ?? {})).not.toMatch(/inherited_/);
  });
});
