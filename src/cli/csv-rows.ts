import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

/** One CSV record: the line it starts on, its fields, the line after it and the byte offset just past it. */
export interface CsvRow {
  number: number;
  fields: string[];
  next: number;
  end: number;
}

/** A record the parser could not read (a quote never closed): where, and why. */
export interface CsvProblem {
  number: number;
  reason: string;
}

/**
 * Reads a CSV file (RFC 4180: quoted fields may hold commas, quotes and line breaks; `\r\n` or
 * `\n` rows) from a byte offset with csv-parse, yielding each record with exact byte offsets so
 * an import can resume precisely where it stopped. Blank lines are skipped; a stray quote inside
 * an unquoted field is kept as text. Records the parser must give up on go to `onProblem`.
 */
export async function* readCsvRows(input: {
  path: string;
  start: number;
  firstLineNumber: number;
  onProblem: (problem: CsvProblem) => void;
}): AsyncGenerator<CsvRow> {
  const lineBase = input.firstLineNumber - 1;
  // The line after the last record read, in parse order: where a record the parser skips began.
  let nextLine = input.firstLineNumber;
  const parser = createReadStream(input.path, { start: input.start }).pipe(
    parse({
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n'],
      skip_records_with_error: true,
      on_record: (record: string[], context) => {
        nextLine = lineBase + context.lines + 1;
        return record;
      },
      on_skip: (error) => {
        const reason =
          error?.code === 'CSV_QUOTE_NOT_CLOSED'
            ? 'a quote opened in this row is never closed, so the rest of the file cannot be read'
            : (error?.message ?? 'unreadable');
        input.onProblem({ number: nextLine, reason });
        return undefined;
      },
    }),
  );
  for await (const item of parser as AsyncIterable<{
    record: string[];
    info: { bytes: number; lines: number };
  }>) {
    const { record, info } = item;
    // `lines` counts to the record's last line; line breaks inside quoted fields come before it.
    let breaks = 0;
    for (const field of record) {
      for (let at = field.indexOf('\n'); at !== -1; at = field.indexOf('\n', at + 1)) breaks += 1;
    }
    yield {
      number: lineBase + info.lines - breaks,
      fields: record,
      next: lineBase + info.lines + 1,
      end: input.start + info.bytes,
    };
  }
}
