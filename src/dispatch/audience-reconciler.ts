import {
  type AudienceDestination,
  type AudienceIdentifiers,
  audienceDestinations,
  audienceSend,
  audienceTrigger,
} from '../activate/ads/ads-sends.ts';
import {
  type AudienceRepair,
  remainingAdds,
  repairsFromPage,
  wantedMember,
} from '../activate/ads/audience-drift.ts';
import type { SendRecord } from '../activate/send-record.ts';
import type { Engine } from '../engine/engine.ts';
import type { Logger } from '../logger.ts';

/** How often a list is reconciled with its segment unless its channel says (`reconcile_every`). */
export const DEFAULT_RECONCILE_EVERY_MS = 86_400_000;

/** How often the schedule is looked at (ms): a list is reconciled at most this late. */
const DEFAULT_CHECK_MS = 60_000;

/** Sends read from the outbox, and queued, per round trip. */
const PAGE = 1_000;

/** What one reconciliation of a destination queued. */
export interface ReconcileOutcome extends AudienceDestination {
  /** People the platform was not told to add, or who may have been lost (`full`), queued as `add`. */
  adds: number;
  /** People the platform holds who should not be there, queued as `remove`. */
  removes: number;
}

/**
 * Full reconciliation of audience destinations: compares each segment's members whose consent
 * covers advertising (read beside the writer, without a commit: `ReadModel.forEachProfile`) with
 * what the platform was last told of each person (`Outbox.latestSendsByProfile`), and queues in
 * the outbox the adds and removes that repair the drift — a change that failed for good or was
 * given up on, consent given after the person entered, a remove lost, and with `full` people the
 * platform may have lost. The sends go out as any other (batched, retried, checked against the
 * person just before the call, so one the person's later changes supersede is dropped). Runs
 * every `reconcile_every` of the destination's channel (default daily) and on demand; the runs of
 * one workspace go one at a time.
 */
export class AudienceReconciler {
  private readonly engine: Engine;
  private readonly logger: Logger;
  private readonly queued: () => void;
  private readonly checkMs: number;
  /** When each destination was last reconciled (or first seen), by `workspace\0channel\0segment`. */
  private readonly lastRun = new Map<string, number>();
  /** Each workspace's run in progress, which the next one waits for. */
  private readonly running = new Map<string, Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(input: { engine: Engine; logger: Logger; onQueued: () => void; checkMs?: number }) {
    this.engine = input.engine;
    this.logger = input.logger;
    this.queued = input.onQueued;
    this.checkMs = input.checkMs ?? DEFAULT_CHECK_MS;
  }

  /**
   * Looks at the schedule every `checkMs`. A destination's first run is one interval after it is
   * first seen, so a restart postpones it by at most that interval (`POST
   * /v1/audiences/{segment}/reconcile` runs one at once).
   */
  start(): void {
    this.timer = setInterval(() => this.runDue(), this.checkMs);
    this.timer.unref();
    this.runDue();
  }

  /** Stops the schedule and waits for the runs in progress. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await Promise.allSettled(this.running.values());
  }

  /**
   * Reconciles a workspace's destinations (those of one segment and one channel, when given) and
   * says what each queued. `full` re-sends every member, for a platform that may have lost some.
   */
  reconcile(input: {
    workspaceId: string;
    segment?: string;
    channel?: string;
    full?: boolean;
  }): Promise<ReconcileOutcome[]> {
    const previous = this.running.get(input.workspaceId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.run(input));
    this.running.set(input.workspaceId, run);
    void run
      .catch(() => undefined)
      .finally(() => {
        if (this.running.get(input.workspaceId) === run) this.running.delete(input.workspaceId);
      });
    return run;
  }

  private runDue(): void {
    const now = this.engine.clock();
    for (const workspaceId of this.engine.workspaceIds()) {
      const channels = this.engine.workspace(workspaceId)?.definition.channels;
      if (channels === undefined) continue;
      for (const destination of audienceDestinations(channels)) {
        const key = `${workspaceId}\u0000${destination.channel}\u0000${destination.segment}`;
        const last = this.lastRun.get(key);
        const every = channels[destination.channel]?.reconcileEveryMs ?? DEFAULT_RECONCILE_EVERY_MS;
        if (last !== undefined && now - last < every) continue;
        this.lastRun.set(key, now);
        if (last === undefined) continue;
        const { channel, segment } = destination;
        this.reconcile({ workspaceId, channel, segment }).catch((error: unknown) =>
          this.logger.error(
            { err: error, workspace: workspaceId, channel, segment },
            'audience reconciliation failed',
          ),
        );
      }
    }
  }

  private async run(input: {
    workspaceId: string;
    segment?: string;
    channel?: string;
    full?: boolean;
  }): Promise<ReconcileOutcome[]> {
    const { engine } = this;
    const { workspaceId } = input;
    const channels = engine.workspace(workspaceId)?.definition.channels ?? {};
    const destinations = audienceDestinations(channels).filter(
      (d) =>
        (input.segment === undefined || d.segment === input.segment) &&
        (input.channel === undefined || d.channel === input.channel),
    );
    if (destinations.length === 0) return [];
    const wanted = destinations.map(() => new Map<string, AudienceIdentifiers>());
    const existing = new Set<string>();
    await engine.reads.forEachProfile(workspaceId, (profile) => {
      existing.add(profile.id);
      destinations.forEach((destination, i) => {
        const identifiers = wantedMember(profile, destination.segment);
        if (identifiers !== undefined) wanted[i]?.set(profile.id, identifiers);
      });
    });
    const runAt = engine.clock();
    const outcomes: ReconcileOutcome[] = [];
    for (const [i, destination] of destinations.entries()) {
      const members = wanted[i] ?? new Map<string, AudienceIdentifiers>();
      const repairs: AudienceRepair[] = [];
      let after: string | undefined;
      for (;;) {
        const latest = await engine.outbox.latestSendsByProfile({
          workspaceId,
          trigger: audienceTrigger(destination),
          limit: PAGE,
          ...(after === undefined ? {} : { after }),
        });
        repairs.push(
          ...repairsFromPage({
            wanted: members,
            latest,
            full: input.full === true,
            exists: (id) => existing.has(id),
          }),
        );
        if (latest.length < PAGE) break;
        after = latest.at(-1)?.profileId;
      }
      repairs.push(...remainingAdds(members));
      await this.queue({ workspaceId, destination, repairs, runAt });
      const adds = repairs.filter((repair) => repair.op === 'add').length;
      outcomes.push({ ...destination, adds, removes: repairs.length - adds });
    }
    const repaired = outcomes.filter((outcome) => outcome.adds + outcome.removes > 0);
    if (repaired.length > 0)
      this.logger.info({ workspace: workspaceId, repaired }, 'audience drift repaired');
    return outcomes;
  }

  /** Puts a destination's repairs in the outbox, a page at a time, and wakes the dispatcher. */
  private async queue(input: {
    workspaceId: string;
    destination: AudienceDestination;
    repairs: AudienceRepair[];
    runAt: number;
  }): Promise<void> {
    const { workspaceId, destination, repairs, runAt } = input;
    const run = runAt.toString(36);
    for (let first = 0; first < repairs.length; first += PAGE) {
      const sends: SendRecord[] = repairs.slice(first, first + PAGE).map((repair) =>
        audienceSend({
          workspaceId,
          // Unique per run, destination and person: a run queues one change per person.
          id: `reconcile-${run}-${destination.segment}-${repair.profileId}:${destination.channel}`,
          profileId: repair.profileId,
          destination,
          op: repair.op,
          identifiers: repair.identifiers,
          now: this.engine.clock(),
        }),
      );
      await this.engine.outbox.enqueueSends(sends);
      this.queued();
    }
  }
}
