import { type Connection, callApi } from './connection.ts';

/** `tailor profile <ref>`: prints a unified profile (and optionally its recent timeline) as JSON. */
export async function profileCommand(input: {
  ref: string;
  connection: Connection;
  events: boolean;
}): Promise<void> {
  const path = `/v1/profiles/${encodeURIComponent(input.ref)}`;
  const profile = await callApi({ connection: input.connection, method: 'GET', path, auth: 'admin' });
  const output: Record<string, unknown> = { profile };
  if (input.events) {
    output.events = await callApi({
      connection: input.connection,
      method: 'GET',
      path: `${path}/events`,
      auth: 'admin',
    });
  }
  process.stdout.write(`${JSON.stringify(input.events ? output : profile, null, 2)}\n`);
}
