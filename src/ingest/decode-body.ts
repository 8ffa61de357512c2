import { gunzipSync } from 'node:zlib';
import { TailorError } from '../errors.ts';
import { REQUEST_MAX_BYTES } from './ingest-limits.ts';

/** A request body as raw bytes, with the Content-Encoding header it came with. */
export interface RawBody {
  raw: Buffer;
  contentEncoding?: string;
}

/** A decoded body: the parsed JSON and its size in bytes after gunzip, for `normalizeCall({ rawBytes })`. */
export interface DecodedBody {
  body: unknown;
  bytes: number;
}

const POSITION = /at position (\d+)/;
const UTF8_BOM = 0xfeff;

/**
 * Decodes a raw request body: gunzips when Content-Encoding is gzip, then parses JSON whatever
 * the Content-Type (browsers send `text/plain` to avoid a CORS preflight). Throws a
 * TailorError: UNSUPPORTED_ENCODING for anything but gzip/identity, REQUEST_TOO_LARGE past
 * 500 KB after decoding (gunzip stops there, so a gzip bomb costs at most that much), and
 * INVALID_JSON with the line and column where the JSON broke (also for a corrupt gzip stream).
 */
export function decodeBody(input: RawBody): unknown {
  return decodeSizedBody(input).body;
}

/**
 * `decodeBody` that also returns the decoded size. Pass `bytes` on as `normalizeCall`'s
 * `rawBytes`: a request known to be under the 32 KB event limit then skips measuring each event.
 */
export function decodeSizedBody(input: RawBody): DecodedBody {
  const bytes = inflate(input);
  if (bytes.length > REQUEST_MAX_BYTES) throw tooLarge(bytes.length);
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === UTF8_BOM) text = text.slice(1);
  return { body: parseJson(text), bytes: bytes.length };
}

function inflate(input: RawBody): Buffer {
  const { raw } = input;
  const encoding = readEncoding(input.contentEncoding);
  if (encoding === 'identity') return raw;
  if (encoding !== 'gzip') {
    throw new TailorError(
      'UNSUPPORTED_ENCODING',
      `Content-Encoding \`${encoding}\` is not accepted: send the body plain or gzip-compressed (Content-Encoding: gzip)`,
    );
  }
  // Real JSON inflates to more than its gzip size, so refusing a compressed body over the limit
  // loses nothing and bounds the work (many empty gzip members inflate to nothing, slowly).
  if (raw.length > REQUEST_MAX_BYTES) throw tooLarge(raw.length);
  try {
    return gunzipSync(raw, { maxOutputLength: REQUEST_MAX_BYTES });
  } catch (error) {
    if (error instanceof RangeError) throw tooLarge(REQUEST_MAX_BYTES + 1);
    const reason = error instanceof Error ? error.message : String(error);
    throw new TailorError(
      'INVALID_JSON',
      `The body says Content-Encoding: gzip but is not valid gzip data (${reason}); compress it with gzip or drop the header`,
    );
  }
}

/** `gzip`, `identity`, or the unsupported encoding as sent (lower-cased, trimmed). */
function readEncoding(header: string | undefined): string {
  if (header === undefined || header === '' || header === 'identity') return 'identity';
  if (header === 'gzip') return 'gzip';
  const encoding = header.trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return 'identity';
  if (encoding === 'gzip' || encoding === 'x-gzip') return 'gzip';
  return encoding;
}

function tooLarge(bytes: number): TailorError {
  const size = bytes > REQUEST_MAX_BYTES ? `more than ${REQUEST_MAX_BYTES}` : String(bytes);
  return new TailorError(
    'REQUEST_TOO_LARGE',
    `The body is ${size} bytes after decoding; a request may be at most 500 KB (${REQUEST_MAX_BYTES} bytes): split the batch`,
  );
}

function parseJson(text: string): unknown {
  if (isBlank(text)) throw new TailorError('INVALID_JSON', 'The body is empty: send a JSON object');
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TailorError('INVALID_JSON', `The body is not valid JSON: ${reason}${where(text, reason)}`);
  }
}

/** ` (line L, column C)` for V8's `at position N`, or ` (at the end)` when the JSON stops short. */
function where(text: string, reason: string): string {
  if (reason.includes('end of JSON input')) return ' (at the end: is the body cut short?)';
  const match = POSITION.exec(reason);
  if (match === null || reason.includes('line ')) return '';
  const position = Number(match[1]);
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < position && i < text.length; i += 1) {
    if (text.charCodeAt(i) === 10) {
      line += 1;
      lineStart = i + 1;
    }
  }
  return ` (line ${line}, column ${position - lineStart + 1})`;
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code !== 32 && code !== 9 && code !== 10 && code !== 13) return false;
  }
  return true;
}
