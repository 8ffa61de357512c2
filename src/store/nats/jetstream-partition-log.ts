import {
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  StorageType,
} from '@nats-io/jetstream';
import {
  ClosedConnectionError,
  ConnectionError,
  connect,
  DrainingConnectionError,
  headers,
  type NatsConnection,
  NoRespondersError,
  RequestError,
  TimeoutError,
} from '@nats-io/transport-node';
import { type LoggedEvent, type TailorEvent, toLoggedEvent } from '../../ingest/event.ts';
import type { EventToAppend } from '../ports/event-log.ts';
import type { PartitionAppendOutcome, PartitionLog } from '../ports/partition-log.ts';
import { fromJson } from '../stored-rows.ts';
import { BusUnavailableError } from './bus-unavailable-error.ts';
import { eventMsgId } from './event-msg-id.ts';

/** Where the log lives and how long it waits for NATS. */
export interface JetStreamPartitionLogOptions {
  /** The NATS server, `nats://host:port` (or a list for a cluster). */
  servers: string | string[];
  /** The stream's name (default `TAILOR_EVENTS`). */
  stream?: string;
  /** Partition `n` is the subject `<prefix>.<n>` (default `tailor.events`). */
  subjectPrefix?: string;
  /** JetStream's de-duplication window for `Nats-Msg-Id` (ms, default 2 minutes). */
  duplicateWindowMs?: number;
  /** Copies of each message kept by the NATS cluster (default 1; at most its size). */
  replicas?: number;
  /** How long connecting may take before `BUS_UNAVAILABLE` (ms, default 2,000). */
  connectTimeoutMs?: number;
  /** How long an append or read waits for JetStream before `BUS_UNAVAILABLE` (ms, default 5,000). */
  timeoutMs?: number;
}

/** The header carrying an event's workspace; the body is the event itself, as JSON. */
const WORKSPACE_HEADER = 'Tailor-Workspace';

/**
 * The partition log on NATS JetStream: one file-backed stream, a subject per partition. An
 * append publishes each event with `Nats-Msg-Id` (see `eventMsgId`) and resolves once every
 * PubAck came back (JetStream has stored the message, on a quorum of replicas in a cluster); a
 * read replays one subject with an ordered consumer from a position. The client reconnects by
 * itself after a drop; meanwhile calls fail with `BUS_UNAVAILABLE` after `timeoutMs`, never hang.
 */
export class JetStreamPartitionLog implements PartitionLog {
  private readonly connection: NatsConnection;
  private readonly client: JetStreamClient;
  private readonly manager: JetStreamManager;
  private readonly stream: string;
  private readonly subjectPrefix: string;
  private readonly timeoutMs: number;

  private constructor(parts: {
    connection: NatsConnection;
    manager: JetStreamManager;
    stream: string;
    subjectPrefix: string;
    timeoutMs: number;
  }) {
    this.connection = parts.connection;
    this.manager = parts.manager;
    this.client = jetstream(parts.connection, { timeout: parts.timeoutMs });
    this.stream = parts.stream;
    this.subjectPrefix = parts.subjectPrefix;
    this.timeoutMs = parts.timeoutMs;
  }

  /**
   * Connects and makes sure the stream exists with this log's subjects (creating it when
   * missing). Throws `BUS_UNAVAILABLE` when NATS cannot be reached or has no JetStream, and a
   * plain error when a stream of that name holds other subjects.
   */
  static async open(options: JetStreamPartitionLogOptions): Promise<JetStreamPartitionLog> {
    const stream = options.stream ?? 'TAILOR_EVENTS';
    const subjectPrefix = options.subjectPrefix ?? 'tailor.events';
    const timeoutMs = options.timeoutMs ?? 5_000;
    let connection: NatsConnection;
    try {
      connection = await connect({
        servers: options.servers,
        name: 'tailor',
        timeout: options.connectTimeoutMs ?? 2_000,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
      });
    } catch (error) {
      throw new BusUnavailableError(`cannot connect to NATS at ${String(options.servers)}`, error);
    }
    try {
      const manager = await jetstreamManager(connection, { timeout: timeoutMs });
      await ensureStream(manager, {
        stream,
        subject: `${subjectPrefix}.*`,
        duplicateWindowMs: options.duplicateWindowMs ?? 120_000,
        replicas: options.replicas ?? 1,
      });
      return new JetStreamPartitionLog({ connection, manager, stream, subjectPrefix, timeoutMs });
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw asBusError(error, 'cannot reach JetStream');
    }
  }

  async append(partition: number, events: EventToAppend[]): Promise<PartitionAppendOutcome[]> {
    const subject = this.subjectOf(partition);
    // One connection sends in order, so the stream stores the events in the order given.
    const acks = events.map(({ workspaceId, event }) => {
      const hdrs = headers();
      hdrs.set(WORKSPACE_HEADER, workspaceId);
      return this.client.publish(subject, JSON.stringify(event), {
        msgID: eventMsgId(workspaceId, event.messageId),
        headers: hdrs,
        timeout: this.timeoutMs,
        expect: { streamName: this.stream },
      });
    });
    const settled = await Promise.allSettled(acks);
    return settled.map((result): PartitionAppendOutcome => {
      if (result.status === 'rejected') throw asBusError(result.reason, 'an append was not acknowledged');
      const ack = result.value;
      return ack.duplicate ? { kind: 'duplicate', seq: ack.seq } : { kind: 'appended', seq: ack.seq };
    });
  }

  async read(query: { partition: number; afterSeq: number; limit: number }): Promise<LoggedEvent[]> {
    const subject = this.subjectOf(query.partition);
    if (query.limit <= 0) return [];
    // A tailing owner mostly finds nothing new: one request for the subject's end, instead of
    // making, asking and deleting a consumer.
    if ((await this.lastSeq(query.partition)) <= query.afterSeq) return [];
    try {
      const consumer = await this.client.consumers.get(this.stream, {
        filter_subjects: subject,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: Math.max(1, query.afterSeq + 1),
      });
      try {
        const pending = (await consumer.info(true)).num_pending;
        const wanted = Math.min(pending, query.limit);
        if (wanted === 0) return [];
        const events: LoggedEvent[] = [];
        const messages = await consumer.fetch({
          max_messages: wanted,
          expires: Math.max(1_000, this.timeoutMs),
        });
        for await (const message of messages) {
          events.push(this.decode(message));
          if (events.length === wanted) break;
        }
        if (events.length < wanted) {
          throw new BusUnavailableError(
            `JetStream delivered ${events.length} of ${wanted} events of partition ${query.partition} within ${this.timeoutMs} ms`,
            undefined,
          );
        }
        return events;
      } finally {
        await consumer.delete().catch(() => undefined);
      }
    } catch (error) {
      throw asBusError(error, `cannot read partition ${query.partition}`);
    }
  }

  async lastSeq(partition: number): Promise<number> {
    const subject = this.subjectOf(partition);
    try {
      const last = await this.manager.streams.getMessage(this.stream, { last_by_subj: subject });
      return last?.seq ?? 0;
    } catch (error) {
      throw asBusError(error, `cannot read the end of partition ${partition}`);
    }
  }

  /** Closes the connection after flushing what it has sent. */
  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }

  private subjectOf(partition: number): string {
    if (!Number.isSafeInteger(partition) || partition < 0) {
      throw new RangeError(`a partition is a non-negative integer, not ${partition}`);
    }
    return `${this.subjectPrefix}.${partition}`;
  }

  private decode(message: JsMsg): LoggedEvent {
    const workspaceId = message.headers?.get(WORKSPACE_HEADER) ?? '';
    if (workspaceId === '') {
      throw new Error(`message ${message.seq} of stream ${this.stream} has no ${WORKSPACE_HEADER} header`);
    }
    return toLoggedEvent(fromJson<TailorEvent>(message.string()), message.seq, workspaceId);
  }
}

/** Creates the stream, or checks that the existing one carries the log's subjects. */
async function ensureStream(
  manager: JetStreamManager,
  wanted: { stream: string; subject: string; duplicateWindowMs: number; replicas: number },
): Promise<void> {
  const existing = await manager.streams.info(wanted.stream).catch((error: unknown) => {
    if (isStreamNotFound(error)) return undefined;
    throw error;
  });
  if (existing !== undefined) {
    if (!existing.config.subjects?.includes(wanted.subject)) {
      throw new Error(
        `the NATS stream "${wanted.stream}" exists with subjects ${JSON.stringify(existing.config.subjects)}, not "${wanted.subject}": give Tailor a stream of its own`,
      );
    }
    return;
  }
  await manager.streams.add({
    name: wanted.stream,
    subjects: [wanted.subject],
    storage: StorageType.File,
    num_replicas: wanted.replicas,
    duplicate_window: wanted.duplicateWindowMs * 1_000_000,
  });
}

function isStreamNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound;
}

/** The client's faults of reach (no connection, no answer in time) as `BUS_UNAVAILABLE`; others as they are. */
function asBusError(error: unknown, detail: string): unknown {
  if (error instanceof BusUnavailableError) return error;
  const unreachable =
    error instanceof ConnectionError ||
    error instanceof ClosedConnectionError ||
    error instanceof DrainingConnectionError ||
    error instanceof TimeoutError ||
    error instanceof NoRespondersError ||
    error instanceof RequestError;
  return unreachable ? new BusUnavailableError(`${detail} (${errorText(error)})`, error) : error;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
