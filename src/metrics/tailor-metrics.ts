import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** What the metrics read when scraped: the writer's queue, the admission budget, rebuilds, readiness. */
export interface MetricsSources {
  /** Events waiting for the next group commit. */
  pendingEvents(): number;
  /** How long the oldest client event waiting for the disk has waited (ms). */
  queueWaitMs(): number;
  /** Body bytes of client requests admitted and not yet answered. */
  inflightBytes(): number;
  /** The workspaces whose profiles are being rebuilt, and how far each is. */
  rebuilds(): { workspaceId: string; done: number; total: number }[];
  /** Whether the writer is stopped by a storage fault and recovering. */
  recovering(): boolean;
}

/** Latency buckets (s) for requests and store calls: 1 ms to 10 s. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Lateness buckets (s) for timers and segments: 10 ms to 5 min. */
const LATENESS_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** A labelled child of a counter or histogram, looked up once per label value and kept. */
class Children<T> {
  private readonly made = new Map<string, T>();
  constructor(private readonly make: (key: string) => T) {}
  get(key: string): T {
    let child = this.made.get(key);
    if (child === undefined) {
      child = this.make(key);
      this.made.set(key, child);
    }
    return child;
  }
}

/**
 * Tailor's Prometheus metrics (`prom-client`), in a registry of their own (never the global
 * one, so two Tailors in one process keep theirs apart), with Node's process metrics. On the
 * hot path only counters and histograms are touched, through labelled children looked up once
 * per label value; gauges read their sources when scraped.
 */
export class TailorMetrics {
  readonly registry = new Registry();
  private readonly eventsIn: Children<Counter.Internal>;
  private readonly eventsRejected: Children<Counter.Internal>;
  private readonly errors: Children<Counter.Internal>;
  private readonly requests: Children<Histogram.Internal<string>>;
  private readonly decide: Histogram;
  private readonly append: Histogram;
  private readonly commit: Histogram;
  private readonly timers: Histogram;
  private readonly segments: Histogram;
  private readonly sends: Children<Counter.Internal>;

  /** Where the gauges read from, as the parts of Tailor that hold them come up (`watch`). */
  private readonly sources: Partial<MetricsSources> = {};

  constructor() {
    const registers = [this.registry];
    const sources = this.sources;
    collectDefaultMetrics({ register: this.registry, prefix: 'tailor_' });
    const eventsIn = new Counter({
      name: 'tailor_events_in_total',
      help: 'Events received through the tracking API and written to the log (outcome: accepted, or duplicate of a message id already logged)',
      labelNames: ['outcome'],
      registers,
    });
    this.eventsIn = new Children((outcome) => eventsIn.labels(outcome));
    const eventsRejected = new Counter({
      name: 'tailor_events_rejected_total',
      help: 'Events the tracking API refused, by error code; requests refused whole (429, 401, unreadable JSON) are in tailor_http_errors_total',
      labelNames: ['code'],
      registers,
    });
    this.eventsRejected = new Children((code) => eventsRejected.labels(code));
    const errors = new Counter({
      name: 'tailor_http_errors_total',
      help: 'Error answers of every route, by error code',
      labelNames: ['code'],
      registers,
    });
    this.errors = new Children((code) => errors.labels(code));
    const requests = new Histogram({
      name: 'tailor_http_request_duration_seconds',
      help: 'Time to answer a request, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.requests = new Children((key) => {
      const [method = '', route = '', status = ''] = key.split(' ');
      return requests.labels(method, route, status);
    });
    this.decide = new Histogram({
      name: 'tailor_decide_duration_seconds',
      help: 'Time to answer a decide request (POST /v1/decide, POST /v1/profiles/{ref}/decide)',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.append = new Histogram({
      name: 'tailor_store_append_duration_seconds',
      help: 'Time to append one group of events to the event log, durably',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.commit = new Histogram({
      name: 'tailor_store_commit_duration_seconds',
      help: 'Time to commit changed profiles and memberships to the store with a checkpoint',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.timers = new Histogram({
      name: 'tailor_timer_lateness_seconds',
      help: 'How late a timer fired (a detector wait ended, a window ran out) after the earliest profile fell due',
      buckets: LATENESS_BUCKETS,
      registers,
    });
    this.segments = new Histogram({
      name: 'tailor_segment_lateness_seconds',
      help: 'From receiving a tracking request to its events being applied to profiles and segments',
      buckets: LATENESS_BUCKETS,
      registers,
    });
    const sends = new Counter({
      name: 'tailor_sends_total',
      help: 'Send attempts by channel and outcome: sent, retry (temporary failure), failed (permanent), dead (retries ran out: a dead letter)',
      labelNames: ['channel', 'status'],
      registers,
    });
    this.sends = new Children((key) => {
      const [channel = '', status = ''] = key.split(' ');
      return sends.labels(channel, status);
    });
    new Gauge({
      name: 'tailor_queue_events',
      help: 'Events waiting for the next group commit',
      registers,
      collect() {
        this.set(sources.pendingEvents?.() ?? 0);
      },
    });
    new Gauge({
      name: 'tailor_queue_wait_seconds',
      help: 'How long the oldest client event waiting for the disk has waited',
      registers,
      collect() {
        this.set((sources.queueWaitMs?.() ?? 0) / 1000);
      },
    });
    new Gauge({
      name: 'tailor_inflight_bytes',
      help: 'Body bytes of tracking and decide requests admitted and not yet answered',
      registers,
      collect() {
        this.set(sources.inflightBytes?.() ?? 0);
      },
    });
    new Gauge({
      name: 'tailor_writer_recovering',
      help: '1 while the writer is stopped by a storage fault and recovering by replay',
      registers,
      collect() {
        this.set(sources.recovering?.() === true ? 1 : 0);
      },
    });
    new Gauge({
      name: 'tailor_rebuild_progress_ratio',
      help: "How far a workspace's running profile rebuild is (0 to 1); absent when none runs",
      labelNames: ['workspace'],
      registers,
      collect() {
        this.reset();
        for (const { workspaceId, done, total } of sources.rebuilds?.() ?? [])
          this.labels(workspaceId).set(total === 0 ? 1 : done / total);
      },
    });
  }

  /** Reads the gauges named from these sources from now on (the engine's, the server's admission). */
  watch(sources: Partial<MetricsSources>): void {
    Object.assign(this.sources, sources);
  }

  /** A tracking request's events: logged, duplicates of logged ones, and how long since it came in. */
  eventsIngested(input: { accepted: number; duplicates: number; receivedMs: number }): void {
    if (input.accepted > 0) this.eventsIn.get('accepted').inc(input.accepted);
    if (input.duplicates > 0) this.eventsIn.get('duplicate').inc(input.duplicates);
    this.segments.observe(input.receivedMs / 1000);
  }

  /** Events refused by the tracking API with `code`. */
  eventsRefused(code: string, count = 1): void {
    this.eventsRejected.get(code).inc(count);
  }

  /** An error answer with `code`, on any route. */
  errorAnswered(code: string): void {
    this.errors.get(code).inc();
  }

  /** A request answered: method, route pattern (never the URL, which may name a person), status, duration. */
  requestAnswered(input: { method: string; route: string; status: number; ms: number }): void {
    this.requests.get(`${input.method} ${input.route} ${input.status}`).observe(input.ms / 1000);
  }

  /** A decide request answered in `ms`. */
  decideAnswered(ms: number): void {
    this.decide.observe(ms / 1000);
  }

  /** A group of events appended to the log in `ms`. */
  appended(ms: number): void {
    this.append.observe(ms / 1000);
  }

  /** The view committed in `ms`. */
  committed(ms: number): void {
    this.commit.observe(ms / 1000);
  }

  /** A timer fired `lateMs` after the earliest profile fell due. */
  timerFired(lateMs: number): void {
    this.timers.observe(lateMs / 1000);
  }

  /** A send attempt's outcome on `channel`: sent, retry, failed or dead. */
  sendAttempted(channel: string, status: string): void {
    this.sends.get(`${channel} ${status}`).inc();
  }

  /** The metrics in Prometheus' text format, and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
