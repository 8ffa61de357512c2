import type { JourneyCounts } from '../journey/journey-counts.ts';
import { type Connection, callApi } from './connection.ts';

/** `tailor journeys`: each journey's counts as lines of text, one per journey and one per step. */
export async function listJourneys(input: { connection: Connection }): Promise<string> {
  const answer = (await callApi({
    connection: input.connection,
    method: 'GET',
    path: '/v1/journeys',
    auth: 'admin',
  })) as { journeys: JourneyCounts[] };
  if (answer.journeys.length === 0) return 'The workspace has no journeys.\n';
  return answer.journeys.map(describeJourney).join('\n');
}

/** `tailor journeys pause|resume <key>`: what the server did, in one line. */
export async function setJourneyPaused(input: {
  connection: Connection;
  key: string;
  paused: boolean;
}): Promise<string> {
  const action = input.paused ? 'pause' : 'resume';
  const answer = (await callApi({
    connection: input.connection,
    method: 'POST',
    path: `/v1/journeys/${encodeURIComponent(input.key)}/${action}`,
    auth: 'admin',
  })) as { changed: boolean };
  const state = input.paused ? 'paused' : 'running';
  if (!answer.changed) return `${input.key} was already ${state}; nothing changed.\n`;
  return input.paused
    ? `${input.key} is paused: no new runs, and runs in flight hold before their next action.\n`
    : `${input.key} is running again: held runs went on from where they stopped.\n`;
}

function describeJourney(journey: JourneyCounts): string {
  const ended = Object.entries(journey.ended)
    .map(([outcome, count]) => `${count} ${outcome}`)
    .join(', ');
  const lines = [
    `${journey.key}${journey.name === null ? '' : ` (${journey.name})`}${journey.paused ? ' [paused]' : ''}: ` +
      `${journey.entered} entered, ${journey.active} in progress${ended === '' ? '' : `, ${ended}`}`,
  ];
  const width = Math.max(...journey.steps.map((step) => step.key.length));
  for (const step of journey.steps) {
    const parts = [`${step.entered} reached`];
    if (step.waiting > 0) parts.push(`${step.waiting} waiting`);
    if (step.sent > 0) parts.push(`${step.sent} sent`);
    for (const [outcome, count] of Object.entries(step.ended)) parts.push(`${count} ${outcome} here`);
    lines.push(`  ${step.key.padEnd(width)}  ${step.type.padEnd(10)} ${parts.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}
