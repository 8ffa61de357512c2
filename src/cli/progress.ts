import { SingleBar } from 'cli-progress';

/** A progress display: a bar on a terminal, a line every few seconds otherwise (CI, logs). */
export interface Progress {
  update(done: number, payload?: Record<string, number>): void;
  stop(): void;
}

/** Creates a progress display on stderr for `total` units (bytes, events, log positions). */
export function createProgress(input: {
  total: number;
  start?: number;
  unit: string;
  label?: string;
}): Progress {
  const label = input.label ?? 'progress';
  if (process.stderr.isTTY) {
    const bar = new SingleBar({
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${input.unit} | {events} events | eta {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
    });
    bar.start(input.total, input.start ?? 0, { events: 0 });
    return { update: (done, payload) => bar.update(done, payload ?? {}), stop: () => bar.stop() };
  }
  let lastPrint = 0;
  return {
    update(done, payload) {
      const now = Date.now();
      if (now - lastPrint < 2_000 && done < input.total) return;
      lastPrint = now;
      const percent = input.total > 0 ? Math.floor((done / input.total) * 100) : 100;
      const events = payload?.events === undefined ? '' : `, ${payload.events} events`;
      process.stderr.write(`${label}: ${percent}% (${done}/${input.total} ${input.unit}${events})\n`);
    },
    stop() {},
  };
}
