import { createHash } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, type Connection, callApi } from './connection.ts';
import { type ContactField, contactColumns, contactRow } from './contact-map.ts';
import { readCsvRows } from './csv-rows.ts';
import { readJsonlLines } from './jsonl-batches.ts';
import { createProgress } from './progress.ts';

/** Where an interrupted import stands, saved beside the file after every acknowledged batch. */
interface ImportState {
  size: number;
  mtimeMs: number;
  offset: number;
  line: number;
  sent: number;
  bad: number;
  /** A CSV import's header, read once at the start of the file, and the `--map` it was read with. */
  columns?: string[];
  map?: string;
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

async function loadState(input: {
  path: string;
  size: number;
  mtimeMs: number;
  map: string | undefined;
}): Promise<ImportState | undefined> {
  try {
    const state = JSON.parse(await readFile(stateFile(input.path), 'utf8')) as ImportState;
    const same = state.size === input.size && state.mtimeMs === input.mtimeMs && state.map === input.map;
    return same ? state : undefined;
  } catch {
    return undefined;
  }
}

/** A messageId for a line that has none, stable across runs so a resumed import never doubles an event. */
function lineMessageId(file: string, number: number, text: string): string {
  return `import-${createHash('sha256').update(file).update(`:${number}:`).update(text).digest('base64url').slice(0, 24)}`;
}

/** One line or row of the file: a call to send, or why it is skipped. */
type ImportRecord =
  | { number: number; next: number; end: number; event: Record<string, unknown> }
  | { number: number; reason: string };

/**
 * `tailor import events.jsonl`: sends a JSONL file of Segment events (one call per line, each
 * with its `type`) through the running server's `/v1/batch`, with progress. `tailor import
 * contacts.csv --map email=Email,…` sends each CSV row as an `identify` call instead (see
 * `contactRow`). Bad lines are reported with their line numbers and skipped; an interrupted
 * import resumes where it stopped, and each line's messageId is stable across runs, so a line
 * sent twice (its answer lost in the interruption) is stored once. `signal` stops the import
 * between or during batches, as an interruption would.
 */
export async function importFile(input: {
  path: string;
  connection: Connection;
  log: (line: string) => void;
  /** Read the file as CSV contacts with this column map (`.csv` files are CSV even without one). */
  map?: ContactField[];
  signal?: AbortSignal;
}): Promise<ImportSummary> {
  const { path, connection, log, signal } = input;
  const csv = input.map !== undefined || /\.csv$/i.test(path);
  const map = csv ? JSON.stringify(input.map ?? null) : undefined;
  const info = await stat(path);
  const saved = await loadState({ path, size: info.size, mtimeMs: info.mtimeMs, map });
  const state: ImportState = saved ?? {
    size: info.size,
    mtimeMs: info.mtimeMs,
    offset: 0,
    line: 1,
    sent: 0,
    bad: 0,
    ...(map === undefined ? {} : { map }),
  };
  const summary: ImportSummary = { sent: 0, duplicates: 0, bad: [], resumedFrom: state.line };
  if (saved) log(`resuming ${basename(path)} at line ${state.line} (${state.sent} events sent before)`);
  const progress = createProgress({ total: info.size, start: state.offset, unit: 'bytes' });
  const file = basename(path);

  let batch: { number: number; next: number; end: number; event: Record<string, unknown>; size: number }[] =
    [];
  let bytes = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    signal?.throwIfAborted();
    const lastLine = batch.at(-1)!;
    const body = JSON.stringify({ batch: batch.map((b) => b.event) });
    const reply = await sendWithRetry({ connection, body, log, signal });
    for (const rejection of reply.rejected) {
      const item = batch[rejection.index];
      if (item) summary.bad.push({ line: item.number, reason: `${rejection.code}: ${rejection.message}` });
    }
    summary.sent += reply.accepted;
    summary.duplicates += reply.duplicates;
    Object.assign(state, {
      offset: lastLine.end,
      line: lastLine.next,
      sent: state.sent + reply.accepted,
    });
    await writeFile(stateFile(path), JSON.stringify(state), { mode: 0o600 });
    progress.update(lastLine.end, { events: state.sent });
    batch = [];
    bytes = 0;
  };

  const records = csv
    ? csvRecords({ path, state, file, map: input.map })
    : jsonlRecords({ path, state, file });
  for await (const record of records) {
    if ('reason' in record) {
      summary.bad.push({ line: record.number, reason: record.reason });
      continue;
    }
    const size = JSON.stringify(record.event).length;
    if (bytes + size > MAX_BATCH_BYTES) await flush();
    batch.push({ ...record, size });
    bytes += size + 1;
    if (batch.length >= MAX_BATCH_EVENTS) await flush();
  }
  await flush();
  progress.stop();
  await rm(stateFile(path), { force: true });
  summary.bad.sort((a, b) => a.line - b.line);
  return summary;
}

/** A JSONL file's lines as Segment calls, each given a stable messageId when it has none. */
async function* jsonlRecords(input: {
  path: string;
  state: ImportState;
  file: string;
}): AsyncGenerator<ImportRecord> {
  const { path, state, file } = input;
  for await (const line of readJsonlLines({ path, start: state.offset, firstLineNumber: state.line })) {
    let event: unknown;
    try {
      event = JSON.parse(line.text);
    } catch (error) {
      yield { number: line.number, reason: `invalid JSON: ${error instanceof Error ? error.message : ''}` };
      continue;
    }
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      yield { number: line.number, reason: 'a line must be one JSON object (a Segment call with `type`)' };
      continue;
    }
    const record = { ...(event as Record<string, unknown>) };
    if (typeof record.messageId !== 'string') record.messageId = lineMessageId(file, line.number, line.text);
    yield { number: line.number, next: line.number + 1, end: line.end, event: record };
  }
}

/**
 * A CSV file's rows as identify calls. The first row is the header; it is kept in the import
 * state so a resumed import, which starts past it, reads the rows the same way.
 */
async function* csvRecords(input: {
  path: string;
  state: ImportState;
  file: string;
  map: ContactField[] | undefined;
}): AsyncGenerator<ImportRecord> {
  const { path, state, file } = input;
  const problems: ImportRecord[] = [];
  const rows = readCsvRows({
    path,
    start: state.offset,
    firstLineNumber: state.line,
    onProblem: (problem) => problems.push(problem),
  });
  let columns = state.columns === undefined ? undefined : contactColumns(state.columns, input.map);
  for await (const row of rows) {
    yield* problems.splice(0);
    if (columns === undefined) {
      columns = contactColumns(row.fields, input.map);
      state.columns = row.fields;
      continue;
    }
    const contact = contactRow(row.fields, columns);
    if (contact.kind === 'bad') {
      yield { number: row.number, reason: contact.reason };
      continue;
    }
    const text = `${state.map}\u0000${row.fields.join('\u0000')}`;
    contact.event.messageId = lineMessageId(file, row.number, text);
    yield { number: row.number, next: row.next, end: row.end, event: contact.event };
  }
  yield* problems.splice(0);
  if (columns === undefined) throw new Error(`${file} is empty: a CSV import needs a header row`);
}

interface BatchReply {
  accepted: number;
  duplicates: number;
  rejected: { index: number; code: string; message: string }[];
}

async function sendWithRetry(input: {
  connection: Connection;
  body: string;
  log: (line: string) => void;
  signal: AbortSignal | undefined;
}): Promise<BatchReply> {
  const { connection, body, log, signal } = input;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return (await callApi({
        connection,
        method: 'POST',
        path: '/v1/batch',
        auth: 'write',
        body,
        ...(signal === undefined ? {} : { signal }),
      })) as BatchReply;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.code === 'BATCH_REJECTED') return rejectedBatch(error);
      const retryable = error.status === 0 || error.status === 429 || error.status >= 500;
      if (!retryable || attempt >= 8 || error.code === 'MISSING_KEY') throw error;
      const wait = Math.min(30_000, 250 * 2 ** attempt);
      log(`${error.message}; retrying in ${Math.round(wait / 1000)}s`);
      await sleep(wait, undefined, signal === undefined ? {} : { signal });
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
