import type { TailorEvent } from '../ingest/event.ts';
import type { RejectedEvent } from '../ingest/normalize-call.ts';
import type { LiveEntry } from './live-entry.ts';

/** Something listening to one workspace's feed, handed each request's entries together. */
export type LiveListener = (entries: readonly LiveEntry[]) => void;

/** Seconds of per-second counts kept for the rate. */
const WINDOW_SECONDS = 60;

/** Per-second accepted-event counts of one workspace over the last minute: a fixed ring, no allocation per request. */
class RateRing {
  private readonly counts = new Float64Array(WINDOW_SECONDS);
  private readonly seconds = new Float64Array(WINDOW_SECONDS);

  add(second: number, count: number): void {
    const slot = second % WINDOW_SECONDS;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.counts[slot] = 0;
    }
    this.counts[slot] = (this.counts[slot] ?? 0) + count;
  }

  /** Counts of the last `WINDOW_SECONDS` whole seconds before `second`, oldest first. */
  series(second: number): number[] {
    const out: number[] = [];
    for (let s = second - WINDOW_SECONDS; s < second; s += 1) {
      const slot = ((s % WINDOW_SECONDS) + WINDOW_SECONDS) % WINDOW_SECONDS;
      out.push(this.seconds[slot] === s ? (this.counts[slot] ?? 0) : 0);
    }
    return out;
  }
}

/**
 * What the console shows of the tracking API as it happens: events per second per workspace
 * (one addition per request into a fixed ring), and the live feed of accepted and refused
 * events, built and broadcast only while someone listens to that workspace — with nobody
 * listening a request costs a map lookup and nothing more. A slow listener drops entries (its
 * transport says when it is behind) instead of holding memory for it.
 */
export class LiveEvents {
  private readonly rates = new Map<string, RateRing>();
  private readonly listeners = new Map<string, Set<LiveListener>>();

  constructor(private readonly clock: () => number) {}

  /** Called once per tracking request after its events are logged (or all refused). */
  published(input: {
    workspaceId: string;
    accepted: readonly TailorEvent[];
    refused: readonly RejectedEvent[];
  }): void {
    const { workspaceId, accepted, refused } = input;
    const now = this.clock();
    if (accepted.length > 0) {
      let ring = this.rates.get(workspaceId);
      if (ring === undefined) {
        ring = new RateRing();
        this.rates.set(workspaceId, ring);
      }
      ring.add(Math.floor(now / 1000), accepted.length);
    }
    const listening = this.listeners.get(workspaceId);
    if (listening === undefined) return;
    const entries: LiveEntry[] = [];
    for (const event of accepted) entries.push(acceptedEntry(event, now));
    for (const rejection of refused)
      entries.push({
        kind: 'refused',
        at: now,
        code: rejection.code,
        message: rejection.message,
        path: rejection.path,
      });
    for (const listener of listening) listener(entries);
  }

  /** Adds a listener to a workspace's feed; returns what removes it. */
  listen(workspaceId: string, listener: LiveListener): () => void {
    let set = this.listeners.get(workspaceId);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(workspaceId, set);
    }
    set.add(listener);
    return () => {
      const current = this.listeners.get(workspaceId);
      current?.delete(listener);
      if (current?.size === 0) this.listeners.delete(workspaceId);
    };
  }

  /** Accepted events per second over the last minute (oldest first), and the mean of the last 10 s. */
  rate(workspaceId: string): { per_second: number; last_minute: number[] } {
    const series = this.rates.get(workspaceId)?.series(Math.floor(this.clock() / 1000)) ?? [];
    const recent = series.slice(-10);
    const sum = recent.reduce((total, count) => total + count, 0);
    return {
      per_second: recent.length === 0 ? 0 : sum / recent.length,
      last_minute: series.length === 0 ? new Array<number>(WINDOW_SECONDS).fill(0) : series,
    };
  }
}

function acceptedEntry(event: TailorEvent, at: number): LiveEntry {
  return {
    kind: 'accepted',
    at,
    type: event.type,
    event: event.event ?? null,
    message_id: event.messageId,
    user_id: event.userId ?? null,
    anonymous_id: event.anonymousId ?? null,
  };
}
