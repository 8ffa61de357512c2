import { createReadStream } from 'node:fs';

/** One line of a JSONL file: its 1-based number, its text, and the byte offset just past it. */
export interface JsonlLine {
  number: number;
  text: string;
  end: number;
}

/**
 * Reads a JSONL file from a byte offset, yielding lines with exact byte offsets (so an
 * import can resume precisely where it stopped). Blank lines are skipped; `\r\n` is accepted.
 */
export async function* readJsonlLines(input: {
  path: string;
  start: number;
  firstLineNumber: number;
}): AsyncGenerator<JsonlLine> {
  let offset = input.start;
  let number = input.firstLineNumber - 1;
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(input.path, { start: input.start })) {
    const buffer = rest.length > 0 ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
    let from = 0;
    for (let at = buffer.indexOf(10, from); at !== -1; at = buffer.indexOf(10, from)) {
      number += 1;
      offset += at - from + 1;
      const text = buffer.toString('utf8', from, at).replace(/\r$/, '');
      from = at + 1;
      if (text.trim() !== '') yield { number, text, end: offset };
    }
    rest = buffer.subarray(from);
  }
  if (rest.length > 0) {
    number += 1;
    offset += rest.length;
    const text = rest.toString('utf8');
    if (text.trim() !== '') yield { number, text, end: offset };
  }
}
