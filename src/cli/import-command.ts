import { createHash } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, type Connection, callApi } from './connection.ts';
import { type JsonlLine, readJsonlLines } from './jsonl-batches.ts';
import { createProgress } from './progress.ts';

/** Where an interrupted import stands, saved beside the file after every acknowledged batch. */
interface ImportState {
  size: number;
  mtimeMs: number;
  offset: number;
  line: number;
  sent: number;
  bad: number;
}

/** What an import did. */
export interface ImportSummary {
  sent: number;
  duplicates: number;
  bad: { line: number; reason: string }[];
  resumedFrom: number;
}

const MAX_BATCH_EVENTS = 500;
const MAX_BATCH_BYTES = 450_000;

function stateFile(path: string): string {
  return `${path}.tailor-import.json`;
}

async function loadState(path: string, size: number, mtimeMs: number): Promise<ImportState | undefined> {
  try {
    const state = JSON.parse(await readFile(stateFile(path), 'utf8')) as ImportState;
    return state.size === size && state.mtimeMs === mtimeMs ? state : undefined;
  } catch {
    return undefined;
  }
}

/** A messageId for a line that has none, stable across runs so a resumed import never doubles an event. */
function lineMessageId(file: string, line: JsonlLine): string {
  return `import-${createHash('sha256').update(file).update(`:${line.number}:`).update(line.text).digest('base64url').slice(0, 24)}`;
}

/**
 * `tailor import events.jsonl`: sends a JSONL file of Segment events (one call per line, each
 * with its `type`) through the running server's `/v1/batch`, with progress. Bad lines are
 * reported with their line numbers and skipped; an interrupted import resumes where it stopped.
 */
export async function importFile(input: {
  path: string;
  connection: Connection;
  log: (line: string) => void;
}): Promise<ImportSummary> {
  const { path, connection, log } = input;
  const info = await stat(path);
  const saved = await loadState(path, info.size, info.mtimeMs);
  const state: ImportState = saved ?? {
    size: info.size,
    mtimeMs: info.mtimeMs,
    offset: 0,
    line: 1,
    sent: 0,
    bad: 0,
  };
  const summary: ImportSummary = { sent: 0, duplicates: 0, bad: [], resumedFrom: state.line };
  if (saved) log(`resuming ${basename(path)} at line ${state.line} (${state.sent} events sent before)`);
  const progress = createProgress({ total: info.size, start: state.offset, unit: 'bytes' });
  const file = basename(path);

  let batch: { line: JsonlLine; event: Record<string, unknown> }[] = [];
  let bytes = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const lastLine = batch.at(-1)!.line;
    const body = JSON.stringify({ batch: batch.map((b) => b.event) });
    const reply = await sendWithRetry(connection, body, log);
    for (const rejection of reply.rejected) {
      const item = batch[rejection.index];
      if (item)
        summary.bad.push({ line: item.line.number, reason: `${rejection.code}: ${rejection.message}` });
    }
    summary.sent += reply.accepted;
    summary.duplicates += reply.duplicates;
    Object.assign(state, {
      offset: lastLine.end,
      line: lastLine.number + 1,
      sent: state.sent + reply.accepted,
    });
    await writeFile(stateFile(path), JSON.stringify(state), { mode: 0o600 });
    progress.update(lastLine.end, { events: state.sent });
    batch = [];
    bytes = 0;
  };

  for await (const line of readJsonlLines({ path, start: state.offset, firstLineNumber: state.line })) {
    let event: unknown;
    try {
      event = JSON.parse(line.text);
    } catch (error) {
      summary.bad.push({
        line: line.number,
        reason: `invalid JSON: ${error instanceof Error ? error.message : ''}`,
      });
      continue;
    }
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      summary.bad.push({
        line: line.number,
        reason: 'a line must be one JSON object (a Segment call with `type`)',
      });
      continue;
    }
    const record = { ...(event as Record<string, unknown>) };
    if (typeof record.messageId !== 'string') record.messageId = lineMessageId(file, line);
    if (bytes + line.text.length > MAX_BATCH_BYTES) await flush();
    batch.push({ line, event: record });
    bytes += line.text.length + 1;
    if (batch.length >= MAX_BATCH_EVENTS) await flush();
  }
  await flush();
  progress.stop();
  await rm(stateFile(path), { force: true });
  return summary;
}

interface BatchReply {
  accepted: number;
  duplicates: number;
  rejected: { index: number; code: string; message: string }[];
}

async function sendWithRetry(
  connection: Connection,
  body: string,
  log: (line: string) => void,
): Promise<BatchReply> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return (await callApi({
        connection,
        method: 'POST',
        path: '/v1/batch',
        auth: 'write',
        body,
      })) as BatchReply;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.code === 'BATCH_REJECTED') return rejectedBatch(error);
      const retryable = error.status === 0 || error.status === 429 || error.status >= 500;
      if (!retryable || attempt >= 8 || error.code === 'MISSING_KEY') throw error;
      const wait = Math.min(30_000, 250 * 2 ** attempt);
      log(`${error.message}; retrying in ${Math.round(wait / 1000)}s`);
      await sleep(wait);
    }
  }
}

/** A batch whose every event was rejected: the 400 answer lists each one like a partial success does. */
function rejectedBatch(error: ApiError): BatchReply {
  const body = error.body;
  const rejected = typeof body === 'object' && body !== null && 'rejected' in body ? body.rejected : [];
  return {
    accepted: 0,
    duplicates: 0,
    rejected: Array.isArray(rejected) ? (rejected as BatchReply['rejected']) : [],
  };
}
