import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../src/errors.ts';

const doc = readFileSync(resolve(import.meta.dirname, '../../docs/errors.md'), 'utf8');

describe('docs/errors.md', () => {
  it.each(Object.entries(ERRORS))('documents %s with its HTTP status', (code, { status }) => {
    expect(doc).toMatch(new RegExp(`\\| \`${code}\` \\| ${status} \\|`));
  });
});
