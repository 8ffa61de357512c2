import { describe, expect, it } from 'vitest';
import { partitionOf } from '../../src/cluster/partition-of.ts';
import { eventMsgId } from '../../src/store/nats/event-msg-id.ts';

describe('partitionOf', () => {
  it('gives fixed partitions: changing the function would move every profile', () => {
    // FNV-1a 32-bit: of '' is 0x811c9dc5 (2166136261), of 'a' is 0xe40c292c (3826002220).
    expect(partitionOf('', 64)).toBe(2166136261 % 64);
    expect(partitionOf('a', 64)).toBe(3826002220 % 64);
    expect(partitionOf('a', 1)).toBe(0);
  });

  it('spreads profile ids evenly over the partitions', () => {
    const counts = new Array<number>(64).fill(0);
    for (let i = 0; i < 64_000; i += 1) {
      const p = partitionOf(`prf_${i.toString(36)}`, 64);
      counts[p] = (counts[p] ?? 0) + 1;
    }
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1200);
  });

  it('refuses a partition count that is not a positive integer', () => {
    expect(() => partitionOf('a', 0)).toThrow(RangeError);
    expect(() => partitionOf('a', 2.5)).toThrow(RangeError);
  });
});

describe('eventMsgId', () => {
  it('is one short header-safe id per (workspace, messageId), whatever the messageId holds', () => {
    const id = eventMsgId('w1', 'line\r\nbreak: ü');
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(eventMsgId('w1', 'line\r\nbreak: ü')).toBe(id);
    expect(eventMsgId('w2', 'line\r\nbreak: ü')).not.toBe(id);
    // The separator keeps ('ab', 'c') and ('a', 'bc') apart.
    expect(eventMsgId('ab', 'c')).not.toBe(eventMsgId('a', 'bc'));
  });
});
