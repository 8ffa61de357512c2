import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileCondition, validateCondition } from '../../src/conditions/compile-condition.ts';
import type { ErrorDetail } from '../../src/errors.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { basic, bearer, openTestTailor, type TestTailor, workspaceYaml } from '../support/test-tailor.ts';
import { thrownTailorError } from '../support/thrown.ts';

/** The pattern of the report: nested quantifiers, exponential for a backtracking engine. */
const EVIL_PATTERN = '^(\\w+\\s?)*$';
const EVIL_SEGMENT = { 'traits.first_name': { $regex: EVIL_PATTERN } };

/** `n` letters and a `!`: no match, so a backtracking engine tries every split of the letters. */
function evilName(n: number): string {
  return `${'a'.repeat(n)}!`;
}

/** Milliseconds `run` takes, measured with the monotonic clock. */
function elapsedMs(run: () => unknown): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

describe('a user-supplied $regex runs in linear time', () => {
  it('the reported name of 27 letters and a `!` (0.58 s with a backtracking engine) is answered at once', () => {
    const matches = compileCondition(EVIL_SEGMENT);
    // Warm the engine up on a harmless input, so the bound measures matching, not compilation by the JIT.
    matches({ traits: { first_name: 'Asha' } });
    const ms = elapsedMs(() => expect(matches({ traits: { first_name: evilName(27) } })).toBe(false));
    expect(ms).toBeLessThan(50);
  });

  it('a 10,000-character input on the same pattern finishes well under 50 ms', () => {
    const matches = compileCondition(EVIL_SEGMENT);
    // Warm up on another input of the same length: the first long input also pays for the JIT
    // and for filling the engine's state cache, one-off costs a loaded machine can stretch.
    matches({ traits: { first_name: `${'b'.repeat(10_000)}?` } });
    const ms = elapsedMs(() => expect(matches({ traits: { first_name: evilName(10_000) } })).toBe(false));
    expect(ms).toBeLessThan(50);
    expect(matches({ traits: { first_name: 'Asha Rao' } })).toBe(true);
  });

  it.each([
    ['(a+)+$', `${'a'.repeat(10_000)}b`],
    ['^(a|aa)+$', `${'a'.repeat(10_000)}b`],
    ['(x+x+)+y', 'x'.repeat(10_000)],
    ['^(([a-z])+.)+[A-Z]([a-z])+$', 'a'.repeat(10_000)],
  ])('the classic ReDoS pattern %s on 10,000 characters finishes well under 50 ms', (pattern, input) => {
    for (const operator of ['$regex', '$regexi']) {
      const matches = compileCondition({ value: { [operator]: pattern } });
      matches({ value: `${'-'.repeat(input.length)}` });
      const ms = elapsedMs(() => matches({ value: input }));
      expect(ms).toBeLessThan(50);
    }
  });
});

describe('patterns the linear engine cannot run are refused where they are written', () => {
  it.each([
    ['a backreference', '^(a+)\\1$', /backreferences are not supported/],
    ['a named backreference', '^(?<x>a+)\\k<x>$', /backreferences are not supported/],
    ['a lookahead', '^(?=.*\\d)\\w+$', /lookahead and lookbehind are not supported/],
    ['a negative lookahead', '^(?!spam)', /lookahead and lookbehind are not supported/],
    ['a lookbehind', '(?<=@)example\\.com$', /lookahead and lookbehind are not supported/],
    ['a repeat count over 1000', 'a{5000}', /a repeat count is at most 1000/],
  ])('%s, with what to write instead', (_name, pattern, advice) => {
    const problems: ErrorDetail[] = validateCondition({ $or: [{ 'traits.email': { $regex: pattern } }] });
    expect(problems).toEqual([
      { path: '$or[0].traits.email.$regex', message: expect.stringMatching(advice) },
    ]);
    expect(problems[0]?.message).toMatch(/is not a valid regular expression for Tailor's linear-time engine/);
  });

  it('a workspace file with a lookahead is refused at its file:line:col', () => {
    const text = `${workspaceYaml('shop')}segments:\n  - key: digits\n    name: Digits\n    when: { traits.code: { $regex: '^(?=.*\\d)' } }\n`;
    const error = thrownTailorError(() => parseWorkspaceYaml({ text, fileName: 'shop.yaml' }));
    expect(error.code).toBe('INVALID_WORKSPACE');
    const line = text.split('\n').findIndex((row) => row.includes('(?=')) + 1;
    expect(error.details).toEqual([
      expect.objectContaining({
        path: expect.stringMatching(new RegExp(`^shop\\.yaml:${line}:\\d+ segments\\[0\\]\\.when`)),
        message: expect.stringMatching(/lookahead and lookbehind are not supported/),
      }),
    ]);
  });

  it('JavaScript \\u escapes keep working', () => {
    const matches = compileCondition({ name: { $regex: '^Ren\\u00e9e$' } });
    expect(matches({ name: 'Renée' })).toBe(true);
    expect(matches({ name: 'Renee' })).toBe(false);
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

  function putWorkspace(yaml: string) {
    return t.app.inject({
      method: 'PUT',
      url: '/v1/workspace',
      headers: { authorization: bearer(t.adminKey), 'content-type': 'application/yaml' },
      payload: yaml,
    });
  }

  it('an identify with the evil name under the evil segment does not block the server', async () => {
    const yaml = `${workspaceYaml('shop')}segments:\n  - key: named\n    name: Named\n    when: { traits.first_name: { $regex: '${EVIL_PATTERN}' } }\n`;
    const applied = await putWorkspace(yaml);
    expect(applied.statusCode, applied.body).toBe(200);
    const started = performance.now();
    const reply = await t.app.inject({
      method: 'POST',
      url: '/v1/identify',
      headers: { 'content-type': 'application/json', authorization: basic(t.writeKey) },
      payload: JSON.stringify({ userId: 'u1', traits: { first_name: evilName(5_000) } }),
    });
    expect(reply.statusCode, reply.body).toBe(200);
    const health = await t.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    // Generous: the request path, a commit and the segment evaluation on a slow shared machine.
    expect(performance.now() - started).toBeLessThan(2_000);
    // The segment did run: a name it matches takes the person in.
    const named = await t.app.inject({
      method: 'POST',
      url: '/v1/identify',
      headers: { 'content-type': 'application/json', authorization: basic(t.writeKey) },
      payload: JSON.stringify({ userId: 'u2', traits: { first_name: 'Asha Rao' } }),
    });
    expect(named.statusCode, named.body).toBe(200);
    const profile = await t.app.inject({
      method: 'GET',
      url: '/v1/profiles/user_id:u2',
      headers: { authorization: bearer(t.adminKey) },
    });
    expect(JSON.stringify(profile.json().segments)).toContain('named');
  });

  it('a rebuild replaying the stored evil name through a new evil segment does not block either', async () => {
    const reply = await t.app.inject({
      method: 'POST',
      url: '/v1/identify',
      headers: { 'content-type': 'application/json', authorization: basic(t.writeKey) },
      payload: JSON.stringify({ userId: 'u1', traits: { first_name: evilName(5_000) } }),
    });
    expect(reply.statusCode, reply.body).toBe(200);
    const started = performance.now();
    const yaml = `${workspaceYaml('shop')}segments:\n  - key: named\n    name: Named\n    when: { traits.first_name: { $regex: '${EVIL_PATTERN}' } }\n`;
    const applied = await putWorkspace(yaml);
    expect(applied.statusCode, applied.body).toBe(200);
    expect(performance.now() - started).toBeLessThan(2_000);
    const profile = await t.app.inject({
      method: 'GET',
      url: '/v1/profiles/user_id:u1',
      headers: { authorization: bearer(t.adminKey) },
    });
    expect(JSON.stringify(profile.json().segments)).not.toContain('named');
  });

  it('the admin API refuses a backreference with the position in the request body', async () => {
    const yaml = `${workspaceYaml('shop')}segments:\n  - key: twice\n    name: Twice\n    when: { traits.code: { $regex: '^(ab)\\1$' } }\n`;
    const reply = await putWorkspace(yaml);
    expect(reply.statusCode).toBe(400);
    const body = reply.json();
    expect(body.code).toBe('INVALID_WORKSPACE');
    const line = yaml.split('\n').findIndex((row) => row.includes('(ab)')) + 1;
    expect(body.details).toEqual([
      expect.objectContaining({
        path: expect.stringMatching(new RegExp(`^request body:${line}:\\d+ segments\\[0\\]\\.when`)),
        message: expect.stringMatching(/backreferences are not supported/),
      }),
    ]);
  });
});
