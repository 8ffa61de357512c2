import { describe, expect, it } from 'vitest';
import { definitionChanges } from '../../src/workspace/definition-changes.ts';

const base = {
  id: 'shop',
  name: 'Shop',
  segments: [
    { key: 'vip', when: { 'computed.orders': { $gte: 5 } } },
    { key: 'new', when: { 'computed.orders': 1 } },
  ],
  decisions: { contactPolicy: { caps: [{ channel: 'sms', max: 1 }] }, placements: [{ key: 'banner' }] },
  channels: { whatsapp: { token: 'secret-token' } },
};

describe('definitionChanges', () => {
  it.each<[string, Record<string, unknown>, { path: string; change: string }[]]>([
    ['nothing for an equal definition', structuredClone(base), []],
    ['a renamed workspace', { ...base, name: 'Store' }, [{ path: 'name', change: 'changed' }]],
    [
      'a segment changed, one added, one removed, by key',
      {
        ...base,
        segments: [
          { key: 'vip', when: { 'computed.orders': { $gte: 10 } } },
          { key: 'lapsed', when: { 'computed.orders': 0 } },
        ],
      },
      [
        { path: 'segments.vip', change: 'changed' },
        { path: 'segments.lapsed', change: 'added' },
        { path: 'segments.new', change: 'removed' },
      ],
    ],
    [
      'a nested section named where it changed',
      { ...base, decisions: { ...base.decisions, contactPolicy: { caps: [] } } },
      [{ path: 'decisions.contactPolicy.caps', change: 'changed' }],
    ],
    ['a section added', { ...base, journeys: [{ key: 'welcome' }] }, [{ path: 'journeys', change: 'added' }]],
    [
      'a secret changed, by path and never by value',
      { ...base, channels: { whatsapp: { token: 'new-secret' } } },
      [{ path: 'channels.whatsapp.token', change: 'changed' }],
    ],
  ])('%s', (_name, next, expected) => {
    const changes = definitionChanges(base, next);
    expect(changes).toEqual(expected);
    expect(JSON.stringify(changes)).not.toMatch(/secret/);
  });
});
