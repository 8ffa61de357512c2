import { describe, expect, it } from 'vitest';
import { compileCondition } from '../../src/conditions/compile-condition.ts';
import { contentLiquid } from '../../src/decide/content-liquid.ts';
import { findJsonProblem } from '../../src/ingest/find-json-problem.ts';
import { JSON_MAX_DEPTH } from '../../src/ingest/ingest-limits.ts';
import { mergeObjects } from '../../src/ingest/merge-objects.ts';
import { normalizeCall } from '../../src/ingest/normalize-call.ts';
import { replaceInvalidCharacters } from '../../src/ingest/replace-invalid-characters.ts';

/**
 * The functions on the ingest → apply → decide path that recurse over event data (the envelope
 * merge, JSON serialization of events and profiles, condition value comparison and path reads,
 * Liquid output of deep values) are safe because the edge bounds depth at 64. This holds them
 * to it: each works on the deepest value the edge accepts, and with a wide margin (16 times the
 * limit) so that a future change that costs more stack per level is caught long before the
 * few-thousand-level depth where V8's stack runs out.
 */

const MARGIN = JSON_MAX_DEPTH * 16;

/** `{a:{a:…{a:leaf}}}` with `levels` objects, built without recursion. */
function nested(levels: number, leaf: unknown = 1): Record<string, unknown> {
  let node: Record<string, unknown> = { a: leaf };
  for (let level = 1; level < levels; level += 1) node = { a: node };
  return node;
}

function dotted(prefix: string, levels: number): string {
  return `${prefix}${'.a'.repeat(levels)}`;
}

describe('the deepest event the edge accepts', () => {
  // The event is level 1 and `properties` level 2: 62 more objects make 64.
  const deepest = { userId: 'u', event: 'E', properties: { a: nested(JSON_MAX_DEPTH - 2) } };

  it('is accepted by the edge, and one level more is not', () => {
    expect(findJsonProblem({ value: deepest })).toBeUndefined();
    const call = normalizeCall({ body: deepest, call: 'track', receivedAt: 0 });
    expect(call.rejected).toEqual([]);
    const deeper = { ...deepest, properties: { a: nested(JSON_MAX_DEPTH - 1) } };
    expect(findJsonProblem({ value: deeper })?.code).toBe('TOO_DEEP');
  });

  it.each([
    ['at the limit', JSON_MAX_DEPTH],
    ['with a 16× margin', MARGIN],
  ])('passes every recursive step %s', (_name, levels) => {
    const value = nested(levels);
    // Envelope merge (batch context into each item's context) recurses where both sides nest.
    const merged = mergeObjects({ ctx: nested(levels, 2) }, { ctx: value });
    expect(JSON.stringify(merged)).toBe(JSON.stringify({ ctx: value }));
    // Events and profiles are stored as JSON text and read back.
    expect(JSON.parse(JSON.stringify({ traits: value }))).toEqual({ traits: value });
    // Condition path getters read a deep path; equality compares deep values.
    const context = { traits: value };
    expect(compileCondition({ [dotted('traits', levels)]: 1 })(context)).toBe(true);
    expect(compileCondition({ traits: nested(levels) })(context)).toBe(true);
    expect(compileCondition({ traits: nested(levels, 2) })(context)).toBe(false);
    // Liquid prints a deep value and reads a deep path.
    const scope = { traits: value };
    expect(contentLiquid.parseAndRenderSync(`{{ ${dotted('traits', levels)} }}`, scope)).toBe('1');
    expect(contentLiquid.parseAndRenderSync('{{ traits | json }}', scope)).toBe(JSON.stringify(value));
  });
});

describe('finding a problem survives any depth a 500 KB body can hold', () => {
  it('walks 250,000 nested arrays without recursion', () => {
    const depth = 250_000;
    const value: unknown = JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    expect(findJsonProblem({ value, maxDepth: depth + 1 })).toBeUndefined();
    expect(findJsonProblem({ value })?.path).toBe('[0]'.repeat(JSON_MAX_DEPTH));
  });
});

describe('verified provider text is kept, made storable', () => {
  it.each([
    ['a\u0000b', 'a\ufffdb'],
    ['\ud800x', '\ufffdx'],
    ['x\udc00', 'x\ufffd'],
    ['ok 🦊', 'ok 🦊'],
  ])('%j becomes %j', (text, storable) => {
    expect(replaceInvalidCharacters(text)).toBe(storable);
    expect(findJsonProblem({ value: replaceInvalidCharacters(text) })).toBeUndefined();
  });
});
