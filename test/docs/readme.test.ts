import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SpawnedTailor, spawnTailor, stopTailor } from '../support/spawn-tailor.ts';
import { tempDir } from '../support/test-tailor.ts';

/**
 * The README followed top to bottom, in its order, against a real `tailor start`: each command
 * it shows is run as it is written (with the server's port and keys put in), and each answer is
 * checked against what the README says it is.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const README = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
const run = promisify(execFile);

/** The fenced blocks under a `### heading`, up to the next heading: `{ lang, text }`. */
function blocksUnder(heading: string): { lang: string; text: string }[] {
  const start = README.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no ${heading}`);
  const rest = README.slice(start + heading.length + 2);
  const section = rest.slice(0, rest.search(/\n#{2,3} /) === -1 ? undefined : rest.search(/\n#{2,3} /));
  return [...section.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({
    lang: m[1] ?? '',
    text: m[2] ?? '',
  }));
}

/** A README output line as a pattern: `…` stands for anything, the rest is literal. */
function linePattern(line: string): RegExp {
  const parts = line
    .trim()
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(parts.join('.*'));
}

/** README output blocks joined where the README wraps a line (a continuation starts with `→`). */
function outputLines(text: string): string[] {
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    // A wrapped JSON object goes on without a space; a wrapped chain of events with one.
    if (line.startsWith('"') && lines.length > 0) lines[lines.length - 1] += line;
    else if (line.startsWith('→') && lines.length > 0) lines[lines.length - 1] += ` ${line}`;
    else lines.push(line);
  }
  return lines;
}

let tailor: SpawnedTailor;
let dataDir: string;
let env: NodeJS.ProcessEnv;
let writeKey: string;
let adminKey: string;

/** Runs a README shell line in the repository, as a person would in a second terminal. */
async function shell(script: string): Promise<string> {
  const { stdout } = await run('bash', ['-c', `set -euo pipefail\n${script}`], {
    cwd: ROOT,
    env,
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
  });
  return stdout;
}

/** `npx tailor …` and `npm run demo` as the repository's own bin (no network, no npm start-up). */
function local(command: string): string {
  return command
    .replace(/^npx tailor\b/, 'node bin/tailor.js')
    .replace(/^npm run demo\b/, 'node bin/tailor.js demo');
}

beforeAll(async () => {
  dataDir = tempDir('tailor-readme-');
  tailor = await spawnTailor({ dataDir });
  const port = new URL(tailor.url).port;
  // The CLI finds the server as `npm start` was told: by TAILOR_PORT and the saved keys.
  env = { ...process.env, TAILOR_PORT: port, TAILOR_DATA_DIR: dataDir, TAILOR_URL: '', NO_COLOR: '1' };
  delete env.TAILOR_URL;
  delete env.TAILOR_WRITE_KEY;
  delete env.TAILOR_ADMIN_KEY;
  delete env.TAILOR_OPERATOR_KEY;
  const banner = tailor.output();
  writeKey = /write key\s+(wk_\S+)/.exec(banner)?.[1] ?? '';
  adminKey = /admin key\s+(ak_\S+)/.exec(banner)?.[1] ?? '';
}, 90_000);

afterAll(async () => {
  if (tailor !== undefined) await stopTailor(tailor);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the README, followed in its order', () => {
  it('Quick start: prints the write key and the admin key', () => {
    expect(writeKey).toMatch(/^wk_/);
    expect(adminKey).toMatch(/^ak_/);
  });

  it('See it work: `npm run demo` prints what the README shows', async () => {
    const [command, ...outputs] = blocksUnder('### See it work');
    expect(command?.text.trim()).toBe('npm run demo');
    const printed = await shell(local('npm run demo'));
    const quiet = /it is quiet hours in India/.test(printed);
    // The last block is the activation loop, which quiet hours (21:00–09:00 India) hold back, as
    // the README says; they also put Meera's reminder at 09:00 her time instead of now.
    const expected = quiet ? outputs.slice(0, -1) : outputs;
    const asPrinted = (line: string) =>
      quiet
        ? line.replace(', now: ', ', at …: ').replace('"timing":"immediate"', '"timing":"delayed"')
        : line;
    for (const block of expected)
      for (const line of outputLines(block.text).map(asPrinted))
        expect(printed, line).toMatch(linePattern(line));
    expect(printed).toMatch(/from 5 identifiers/);
    expect(printed).toMatch(/lifecycle stage: high_intent_lead/);
    expect(printed).toMatch(/segments: .*high_intent_leads/);
    expect(printed).toMatch(/risks: checkout_abandonment/);
    // And again on the same data: the story is told with new people, and still succeeds.
    const again = await shell(local('npm run demo'));
    expect(again).toMatch(/run 2 on this data/);
    expect(again).not.toMatch(/did not reach|received nothing/);
  }, 120_000);

  it('Send events and read a profile: each curl answers as the README says', async () => {
    const [curls] = blocksUnder('### Send events and read a profile');
    const script = (curls?.text ?? '')
      .replace('WK=<write key>; AK=<admin key>', `WK=${writeKey}; AK=${adminKey}`)
      .replaceAll('http://127.0.0.1:3000', tailor.url)
      // One answer per line.
      .replace(/^(curl .*[^\\\n])$/gm, '$1; echo')
      .replace(/^(\s+-H .*[^\\\n])$/gm, '$1; echo');
    const answers = (await shell(script)).trim().split('\n');
    expect(answers).toHaveLength(5);
    for (const answer of answers.slice(0, 3))
      expect(JSON.parse(answer)).toMatchObject({ success: true, accepted: 1 });
    const profile = JSON.parse(answers[4] ?? '{}');
    // "one profile holding the anonymous id, the user id, the normalized email and phone
    // (+919811122334) and the WhatsApp id, the traits, first touch (the Google campaign), the demo
    // workspace's computed traits (orders, lifetime_value, preferred_channel, …) and its intent
    // score with a label"
    expect(profile.identifiers).toEqual({
      anonymous_id: ['a-1'],
      user_id: ['USR_1001'],
      email: ['ada@example.com'],
      phone: ['+919811122334'],
      whatsapp: ['+919811122334'],
    });
    expect(profile.traits).toMatchObject({ city: 'Bangalore' });
    expect(JSON.stringify(profile.first_touch ?? profile.firstTouch ?? profile)).toContain('google');
    expect(profile.computed).toMatchObject({ orders: 1, lifetime_value: 1499 });
    expect(profile.computed).toHaveProperty('preferred_channel');
    expect(['low', 'medium', 'high']).toContain(profile.scores?.intent?.label);
  }, 60_000);

  it('The same with the CLI: every command runs and answers as its comment says', async () => {
    const [, cli] = blocksUnder('### Send events and read a profile');
    const commands = (cli?.text ?? '')
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter((line) => line.startsWith('npx tailor'));
    const outputs = new Map<string, string>();
    let createdKeyId = '';
    for (const command of commands) {
      const line = command.includes('key_…') ? command.replace('key_…', createdKeyId) : command;
      const { stdout, stderr } = await run(
        'bash',
        [
          '-c',
          `${local(line)} 2>&1 1>/tmp/readme-cli-$$.out; cat /tmp/readme-cli-$$.out >&2; rm /tmp/readme-cli-$$.out`,
        ],
        {
          cwd: ROOT,
          env,
          timeout: 60_000,
        },
      ).catch((error: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`${line} failed: ${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
      });
      outputs.set(command, `${stdout}${stderr}`);
      if (command.startsWith('npx tailor keys create'))
        createdKeyId = /\b(key_[A-Za-z0-9_-]+)/.exec(stderr + stdout)?.[1] ?? '';
    }
    const out = (prefix: string) => [...outputs].find(([command]) => command.startsWith(prefix))?.[1] ?? '';
    expect(out('npx tailor import examples/demo/events.jsonl')).toMatch(/imported 21 events/);
    expect(out('npx tailor import examples/demo/contacts.csv')).toMatch(/imported 3 events .*1 bad lines/);
    expect(out('npx tailor import examples/demo/contacts.csv')).toMatch(
      /line 4: "not-an-address" is not an email/,
    );
    expect(out('npx tailor profile email:asha@example.com')).toContain('"USR_3001"');
    expect(out('npx tailor workspace create my-shop')).toMatch(/workspace my-shop created/);
    expect(out('npx tailor apply examples/my-shop/tailor.yaml')).toMatch(/applied: workspace my-shop/);
    expect(out('npx tailor journeys pause')).toMatch(/checkout_recovery/);
    expect(out('npx tailor keys create')).toMatch(/wk_/);
    expect(createdKeyId).toMatch(/^key_/);
    expect(out('npx tailor keys revoke')).toMatch(/revoked/i);
  }, 180_000);
});
