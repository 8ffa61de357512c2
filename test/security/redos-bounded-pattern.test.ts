import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { isBoundedPattern } from '../../src/conditions/bounded-pattern.ts';
import { compileLinearPattern } from '../../src/conditions/linear-pattern.ts';

describe('the RegExp fast path takes only patterns with bounded backtracking', () => {
  it.each([
    '^/pricing',
    '@example\\.com$',
    '@(gmail|yahoo)\\.com$',
    'vip|beta',
    '^(?:pro|team)$',
    '^[A-Z][a-z0-9_]\\d-\\w$',
    'null',
    '1\\.',
  ])('%s qualifies', (pattern) => {
    expect(isBoundedPattern(pattern)).toBe(true);
  });

  it.each([
    ['a quantifier', '^(\\w+\\s?)*$'],
    ['a star', 'a*b'],
    ['an optional', 'colou?r'],
    ['a repeat count', 'a{2}'],
    ['two groups with alternatives', '(a|a)(a|a)'],
    ['alternatives at the top and in a group', '(a|b)c|d'],
    ['a nested group', '((a))'],
    ['a negated set', '^[^a]$'],
    ['a dot', '^.$'],
    ['\\s', '\\s'],
    ['\\b', '\\bvip\\b'],
    ['\\W', '\\W'],
    ['a non-ASCII character', '^é$'],
    ['a lookahead', '(?=a)'],
    ['a named group', '(?<x>a)'],
    ['a POSIX class', '[[:alpha:]]'],
    ['an unclosed set', '[abc'],
    ['an unbalanced group', 'a)'],
  ])('%s does not: %s', (_name, pattern) => {
    expect(isBoundedPattern(pattern)).toBe(false);
  });

  it('answers as RE2 does on the patterns that qualify, for ASCII and non-ASCII inputs', () => {
    const patterns = [
      '^/pricing',
      '@(gmail|yahoo)\\.com$',
      'vip|beta',
      '^[a-c][0-9]\\w$',
      '^(?:x|xy)z$',
      'a\\-b',
    ];
    const inputs = [
      '',
      '/pricing/team',
      'x/pricing',
      'asha@gmail.com',
      'asha@gmail.com\n',
      'a@yahoo.co',
      'vip',
      'BETA',
      'b7_',
      'b7é',
      'a😀b',
      'xyz',
      'xz',
      'a-b',
    ];
    for (const pattern of patterns) {
      expect(isBoundedPattern(pattern)).toBe(true);
      const re2 = RE2JS.compile(pattern);
      const compiled = compileLinearPattern(pattern, { ignoreCase: false });
      if (!compiled.ok) throw new Error(compiled.message);
      for (const input of inputs)
        expect([pattern, input, compiled.pattern.test(input)]).toEqual([pattern, input, re2.test(input)]);
    }
  });

  it('a qualifying pattern stays fast on a 100,000-character input', () => {
    const compiled = compileLinearPattern('@(gmail|gmai|gma)\\.com$', { ignoreCase: false });
    if (!compiled.ok) throw new Error(compiled.message);
    const input = '@gmai'.repeat(20_000);
    compiled.pattern.test('warm up');
    const start = performance.now();
    expect(compiled.pattern.test(input)).toBe(false);
    expect(performance.now() - start).toBeLessThan(50);
  });
});
