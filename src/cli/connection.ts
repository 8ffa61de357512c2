import { readSavedOperatorKey } from '../app/operator-key.ts';
import { readSavedKeys } from '../app/workspace-keys.ts';

/** How a CLI command reaches a running Tailor. */
export interface Connection {
  url: string;
  writeKey?: string;
  adminKey?: string;
  /** The server's operator key, which creates workspaces. */
  operatorKey?: string;
}

/** Flags shared by the commands that talk to a running server. */
export interface ConnectionFlags {
  url?: string;
  writeKey?: string;
  adminKey?: string;
  operatorKey?: string;
  dataDir?: string;
  /** Whose saved keys to use (default `demo`). */
  workspace?: string;
}

/**
 * The URL of a Tailor started with `TAILOR_HOST` and `TAILOR_PORT` (as `npm start` reads them):
 * a server listening on every address (`0.0.0.0`, `::`) is reached on loopback.
 */
export function localServerUrl(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.TAILOR_HOST?.trim() || '127.0.0.1';
  const port = env.TAILOR_PORT?.trim() || '3000';
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/**
 * Finds the server and keys: flags, then `TAILOR_URL` / `TAILOR_WRITE_KEY` / `TAILOR_ADMIN_KEY`,
 * then the server `TAILOR_HOST` / `TAILOR_PORT` name (as `tailor start` reads them) and the keys
 * a local `tailor start` saved under the data dir — so after the Quick start the CLI works with
 * no flags at all, in the same shell as `npm start` whatever port it was given.
 */
export async function resolveConnection(flags: ConnectionFlags, env = process.env): Promise<Connection> {
  const url = (flags.url ?? env.TAILOR_URL ?? localServerUrl(env)).replace(/\/+$/, '');
  const dataDir = flags.dataDir ?? env.TAILOR_DATA_DIR ?? './data';
  const saved = await readSavedKeys(dataDir, flags.workspace ?? 'demo');
  const connection: Connection = { url };
  const writeKey = flags.writeKey ?? env.TAILOR_WRITE_KEY ?? saved?.writeKey;
  const adminKey = flags.adminKey ?? env.TAILOR_ADMIN_KEY ?? saved?.adminKey;
  const operatorKey = flags.operatorKey ?? env.TAILOR_OPERATOR_KEY ?? (await readSavedOperatorKey(dataDir));
  if (writeKey) connection.writeKey = writeKey;
  if (adminKey) connection.adminKey = adminKey;
  if (operatorKey) connection.operatorKey = operatorKey;
  return connection;
}

/** An answer from the server that was not 2xx, with the catalogue code when there is one. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The parsed answer, when there was one. */
  readonly body: unknown;

  constructor(input: { status: number; code: string; message: string; body?: unknown }) {
    super(input.message);
    this.status = input.status;
    this.code = input.code;
    this.body = input.body;
  }
}

/** Calls the API and parses JSON; non-2xx answers become ApiError with the server's code and message. */
export async function callApi(input: {
  connection: Connection;
  method: string;
  path: string;
  auth: 'write' | 'admin' | 'operator';
  body?: string;
  contentType?: string;
  /** Abandons the call (an import being stopped); the fetch then rejects with an AbortError. */
  signal?: AbortSignal;
}): Promise<unknown> {
  const { connection, auth } = input;
  const key =
    auth === 'write' ? connection.writeKey : auth === 'admin' ? connection.adminKey : connection.operatorKey;
  if (key === undefined) {
    const variable =
      auth === 'write'
        ? 'TAILOR_WRITE_KEY (or --write-key)'
        : auth === 'admin'
          ? 'TAILOR_ADMIN_KEY (or --admin-key)'
          : 'TAILOR_OPERATOR_KEY (or --operator-key); a local `tailor start` saves it in <data dir>/operator.key.json';
    throw new ApiError({ status: 0, code: 'MISSING_KEY', message: `No ${auth} key: set ${variable}` });
  }
  const headers: Record<string, string> = {
    authorization: auth === 'write' ? `Basic ${Buffer.from(`${key}:`).toString('base64')}` : `Bearer ${key}`,
  };
  if (input.body !== undefined) headers['content-type'] = input.contentType ?? 'application/json';
  let response: Response;
  try {
    response = await fetch(`${connection.url}${input.path}`, {
      method: input.method,
      headers,
      ...(input.body === undefined ? {} : { body: input.body }),
      ...(input.signal === undefined ? {} : { signal: input.signal }),
    });
  } catch (error) {
    if (input.signal?.aborted === true) throw error;
    const reason =
      error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new ApiError({
      status: 0,
      code: 'UNREACHABLE',
      message: `Cannot reach Tailor at ${connection.url} (${reason}); is \`tailor start\` running?`,
    });
  }
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  if (!response.ok) {
    const code =
      typeof parsed === 'object' && parsed !== null && 'code' in parsed ? String(parsed.code) : 'HTTP';
    const message =
      typeof parsed === 'object' && parsed !== null && 'message' in parsed ? String(parsed.message) : text;
    const details =
      typeof parsed === 'object' && parsed !== null && 'details' in parsed && Array.isArray(parsed.details)
        ? parsed.details
            .map(
              (d: unknown) =>
                `\n  ${typeof d === 'object' && d !== null && 'path' in d ? String(d.path) : ''}: ${typeof d === 'object' && d !== null && 'message' in d ? String(d.message) : ''}`,
            )
            .join('')
        : '';
    throw new ApiError({ status: response.status, code, message: `${message}${details}`, body: parsed });
  }
  return parsed;
}
