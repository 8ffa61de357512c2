import { describe, expect, it } from 'vitest';
import { resolveConnection } from '../../src/cli/connection.ts';
import { tempDir } from '../support/test-tailor.ts';

describe('the CLI finds the server as `tailor start` was told', () => {
  const cases: Array<{ name: string; env: NodeJS.ProcessEnv; flags?: { url?: string }; url: string }> = [
    { name: 'nothing set', env: {}, url: 'http://127.0.0.1:3000' },
    { name: 'TAILOR_PORT', env: { TAILOR_PORT: '4300' }, url: 'http://127.0.0.1:4300' },
    { name: 'TAILOR_HOST', env: { TAILOR_HOST: 'localhost' }, url: 'http://localhost:3000' },
    {
      name: 'every IPv4 address',
      env: { TAILOR_HOST: '0.0.0.0', TAILOR_PORT: '8080' },
      url: 'http://127.0.0.1:8080',
    },
    { name: 'every IPv6 address', env: { TAILOR_HOST: '::', TAILOR_PORT: '8080' }, url: 'http://[::1]:8080' },
    { name: 'an IPv6 address', env: { TAILOR_HOST: '::1' }, url: 'http://[::1]:3000' },
    {
      name: 'TAILOR_URL over host and port',
      env: { TAILOR_URL: 'https://tailor.example.com/', TAILOR_PORT: '4300' },
      url: 'https://tailor.example.com',
    },
    {
      name: '--url over everything',
      env: { TAILOR_URL: 'https://a.example.com', TAILOR_PORT: '4300' },
      flags: { url: 'http://10.0.0.5:3000' },
      url: 'http://10.0.0.5:3000',
    },
  ];
  for (const { name, env, flags, url } of cases) {
    it(name, async () => {
      const connection = await resolveConnection({ ...flags, dataDir: tempDir() }, env);
      expect(connection.url).toBe(url);
    });
  }
});
