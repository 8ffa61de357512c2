import type { LiveLine } from '../../src/http/live-entry.ts';

/** One line of the live feed as the console shows it: the server's type, shared. */
export type LiveEntry = LiveLine;

/**
 * Reads the server-sent events of the live feed with `fetch` (EventSource cannot send the admin
 * key as a header), calling `onEntry` for each, until `signal` aborts or the stream ends.
 */
export async function readLiveStream(input: {
  key: string;
  signal: AbortSignal;
  onOpen: () => void;
  onEntry: (entry: LiveEntry) => void;
}): Promise<void> {
  const response = await fetch('/v1/events/live', {
    headers: { authorization: `Bearer ${input.key}`, accept: 'text/event-stream' },
    signal: input.signal,
  });
  if (!response.ok || response.body === null) throw new Error(`The live feed answered ${response.status}`);
  input.onOpen();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const entry = parseMessage(buffer.slice(0, end));
      if (entry !== undefined) input.onEntry(entry);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
    }
  }
}

/** One server-sent message (`event:` and `data:` lines); comments and unknown events give nothing. */
function parseMessage(text: string): LiveEntry | undefined {
  let event = 'message';
  let data = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data += line.slice(6);
  }
  if (event === 'dropped') return { kind: 'dropped', at: Date.now(), count: Number(data) };
  if (event !== 'accepted' && event !== 'refused') return undefined;
  return JSON.parse(data) as LiveEntry;
}
