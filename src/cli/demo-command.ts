import { type Connection, callApi } from './connection.ts';
import { DEMO_EMAIL, demoStory } from './demo-story.ts';

/** What the demo printed about the person, for tests and for the summary line. */
export interface DemoResult {
  profile: Record<string, unknown>;
  summary: string[];
}

/**
 * `tailor demo`: sends the demo story through the public tracking API of a running Tailor
 * (the demo workspace), then reads the person's unified profile through the admin API and
 * prints what Tailor now knows about her.
 */
export async function demoCommand(input: {
  connection: Connection;
  now: number;
  print: (line: string) => void;
}): Promise<DemoResult> {
  const { connection, now, print } = input;
  const calls = demoStory(now);
  await callApi({
    connection,
    method: 'POST',
    path: '/v1/batch',
    auth: 'write',
    body: JSON.stringify({ batch: calls }),
  });
  print(
    `sent ${calls.length} events: a visit from Instagram, pricing twice, sign-up, an email click, two WhatsApp replies`,
  );
  const profile = (await callApi({
    connection,
    method: 'GET',
    path: `/v1/profiles/${encodeURIComponent(`email:${DEMO_EMAIL}`)}`,
    auth: 'admin',
  })) as Record<string, unknown>;
  const summary = summarize(profile);
  for (const line of summary) print(line);
  print(JSON.stringify(profile, null, 2));
  return { profile, summary };
}

function summarize(profile: Record<string, unknown>): string[] {
  const identifiers = (profile.identifiers ?? {}) as Record<string, string[]>;
  const computed = (profile.computed ?? {}) as Record<string, unknown>;
  const scores = (profile.scores ?? {}) as Record<string, { value: number; label: string | null }>;
  const intent = scores.intent;
  const ids = Object.entries(identifiers).flatMap(([type, values]) =>
    values.map((value) => `${type}:${value}`),
  );
  return [
    `one profile (${String(profile.id)}) from ${ids.length} identifiers: ${ids.join(', ')}`,
    `preferred channel: ${String(computed.preferred_channel)}`,
    `intent: ${intent === undefined ? 'none' : `${intent.value} (${intent.label ?? 'no label'})`}`,
    `lifecycle stage: ${String(profile.lifecycle_stage ?? 'none')}`,
  ];
}
