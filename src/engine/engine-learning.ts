import type { LearnModel } from '../decide/learn/learn-model.ts';
import { parseLearningSnapshot } from '../decide/learn/learning-snapshot.ts';
import { LearningState } from '../decide/learn/learning-state.ts';
import { type LoggedEvent, recordedByTailor, type TailorEvent } from '../ingest/event.ts';
import { GOAL_REACHED } from '../ingest/reserved-events.ts';
import type { EventLog } from '../store/ports/event-log.ts';
import type { LearningStateRow } from '../store/ports/view-store.ts';
import type { CompiledWorkspace } from './compiled-workspace.ts';
import type { WorkspaceView } from './workspace-view.ts';

/** Log events read per query while counting outcomes at start. */
const WARM_PAGE = 5_000;

/**
 * Log positions a kept learning state may fall behind the checkpoint before a view commit
 * writes it again, at least (by default): a start counts at most about this many events past it.
 */
const SNAPSHOT_EVERY = 10_000;

/**
 * The engine's learning states, one per workspace, each a fold over the log (`LearningState`):
 * kept up as events are applied, kept with view commits (`snapshots`), taken back from the
 * store at start and counted from there (`restore`, `warm`), and counted afresh when a
 * workspace is rebuilt. Each state remembers the last log position it folded, so an event met
 * twice (replay past a checkpoint) is counted once.
 */
export class EngineLearning {
  private readonly states = new Map<string, { state: LearningState; seq: number }>();
  /** The log position of each workspace's state as the store keeps it (absent: none kept, or stale). */
  private readonly kept = new Map<string, number>();

  /** `snapshotEvery`: see `snapshots` (default `SNAPSHOT_EVERY`). */
  constructor(private readonly snapshotEvery = SNAPSHOT_EVERY) {}

  /** The outcomes a workspace has learned, for decisions; undefined before any. */
  model(workspaceId: string): LearnModel | undefined {
    return this.states.get(workspaceId)?.state.model;
  }

  /** A workspace's learning state (an empty one before anything was counted). */
  state(workspaceId: string): LearningState {
    return this.entry(workspaceId).state;
  }

  /** Forgets every state, before they are taken back from the store (`restore`) and counted (`warm`). */
  clear(): void {
    this.states.clear();
    this.kept.clear();
  }

  /**
   * Takes back the states the store keeps, of workspaces with a goal (a state the store keeps
   * past `upTo`, or that does not read, is left out: `warm` counts that workspace from the start).
   */
  restore(input: {
    rows: readonly LearningStateRow[];
    upTo: number;
    workspaces: Iterable<CompiledWorkspace>;
  }): void {
    const learning = new Set(learningWorkspaces(input.workspaces).keys());
    for (const row of input.rows) {
      if (!learning.has(row.workspaceId) || row.seq > input.upTo) continue;
      const snapshot = parseLearningSnapshot(row.state);
      if (snapshot === undefined) continue;
      this.states.set(row.workspaceId, { state: LearningState.fromSnapshot(snapshot), seq: row.seq });
      this.kept.set(row.workspaceId, row.seq);
    }
  }

  /**
   * Counts the log up to `upTo` into the states, when any workspace has an action with a goal
   * (the states of the others stay empty: they would only count decisions nobody learns from),
   * reading from the oldest position a state was taken back at (`restore`): from the start when
   * one was not.
   */
  async warm(input: { log: EventLog; upTo: number; workspaces: Iterable<CompiledWorkspace> }): Promise<void> {
    const retain = learningWorkspaces(input.workspaces);
    if (retain.size === 0) return;
    let after = input.upTo;
    for (const workspaceId of retain.keys()) after = Math.min(after, this.states.get(workspaceId)?.seq ?? 0);
    while (after < input.upTo) {
      const page = await input.log.readEvents({ afterSeq: after, limit: WARM_PAGE });
      if (page.length === 0) break;
      for (const event of page) {
        const retainMs = retain.get(event.workspaceId);
        if (retainMs !== undefined && event.seq <= input.upTo) this.fold(event, retainMs);
      }
      after = page.at(-1)?.seq ?? input.upTo;
    }
  }

  /** Counts one applied event into its workspace's state, unless that state has counted it already. */
  observe(workspace: CompiledWorkspace, event: LoggedEvent): void {
    this.fold(event, workspace.decisions.goals.longestMs);
  }

  /** Puts in a state counted afresh from the log up to `seq` (a rebuild's): the next commit keeps it. */
  replace(workspaceId: string, state: LearningState, seq: number): void {
    this.states.set(workspaceId, { state, seq });
    this.kept.delete(workspaceId);
  }

  /**
   * Lets go of what a workspace's state keeps of erased profiles (`LearningState.forget`): the
   * next commit writes the state without them.
   */
  forget(workspaceId: string, profileIds: readonly string[]): void {
    const entry = this.states.get(workspaceId);
    if (entry === undefined) return;
    entry.state.forget(profileIds);
    this.kept.delete(workspaceId);
  }

  /** Marks every state to be written by the next commit (at close: the next start then counts nothing before it). */
  keepAll(): void {
    this.kept.clear();
  }

  /**
   * The states a view commit at `checkpoint` should keep, encoded: of workspaces with a goal,
   * each not kept yet, or kept `snapshotEvery` log positions (and as many as it holds
   * decisions, so writing it costs at most about one decision's encoding per event) before.
   * The commit must reflect the log up to `checkpoint`, as the states do; `written` marks them
   * written once it is. Encoding lets I/O in, so it runs on the writer: nothing may count into
   * the states until it resolves.
   */
  async snapshots(input: {
    checkpoint: number;
    workspaces: Iterable<CompiledWorkspace>;
  }): Promise<LearningStateRow[]> {
    const rows: LearningStateRow[] = [];
    for (const workspaceId of learningWorkspaces(input.workspaces).keys()) {
      const { state } = this.entry(workspaceId);
      const since = this.kept.get(workspaceId);
      if (since !== undefined && input.checkpoint - since < Math.max(this.snapshotEvery, state.size))
        continue;
      rows.push({
        workspaceId,
        seq: input.checkpoint,
        state: await state.encode(),
      });
    }
    return rows;
  }

  /** Notes states a view commit wrote (`snapshots`). */
  written(rows: readonly LearningStateRow[]): void {
    for (const row of rows) this.kept.set(row.workspaceId, row.seq);
  }

  /**
   * The `Goal Reached` events that credit a goal event just applied to a profile: one to the
   * latest decision whose winning action has that goal, one per placement to the latest variant
   * it showed with that goal (see `LearningState.attribute`), and one per experiment with that
   * goal to the person's latest decision in it. Each is recorded under
   * the goal event's identity with an id derived from it, so a replay records it once; the
   * decisions are marked credited now, so a second goal event is not credited to them.
   */
  goalEvents(input: {
    workspace: CompiledWorkspace;
    view: WorkspaceView;
    profileId: string;
    event: LoggedEvent;
  }): TailorEvent[] {
    const { workspace, event } = input;
    const name = event.event;
    const { goals } = workspace.decisions;
    if (event.type !== 'track' || name === undefined || !goals.events.has(name)) return [];
    if (recordedByTailor(event)) return [];
    const profile = input.view.profiles.get(input.profileId);
    const profileIds = [input.profileId, ...(profile?.mergedIds ?? [])];
    const state = this.state(workspace.definition.id);
    const recorded: TailorEvent[] = [];
    for (const { decision, learning } of state.attribute({
      profileIds,
      name,
      at: event.timestamp,
      learners: workspace.decisions.learners,
    })) {
      decision.credited = true;
      const value = learning.goalValue?.({ properties: event.properties, context: event.context });
      const { placement } = decision;
      const credit = {
        goal: name,
        ...(placement === undefined
          ? { action: decision.action, group: decision.group }
          : { placement, variant: decision.action }),
        decision_id: decision.id,
        bin: decision.bin,
        decided_at: new Date(decision.at).toISOString(),
        ...numericValue(value),
      };
      // Experiment keys have no `-`, so `-goal-placement-…` never equals an experiment's id.
      const id =
        placement === undefined
          ? `${event.messageId}-goal`
          : `${event.messageId}-goal-placement-${placement}`;
      recorded.push(goalReached(event, input.profileId, id, credit));
    }
    for (const record of state.attributeExperiments({
      profileIds,
      name,
      at: event.timestamp,
      goals: goals.experiments,
    })) {
      record.credited = true;
      const experiment = workspace.decisions.experiments.find((entry) => entry.key === record.experiment);
      const value = experiment?.goalValue?.({ properties: event.properties, context: event.context });
      recorded.push(
        goalReached(event, input.profileId, `${event.messageId}-goal-${record.experiment}`, {
          goal: name,
          experiment: record.experiment,
          arm: record.arm,
          decision_id: record.id,
          decided_at: new Date(record.at).toISOString(),
          ...numericValue(value),
        }),
      );
    }
    return recorded;
  }

  private fold(event: LoggedEvent, retainMs: number): void {
    const entry = this.entry(event.workspaceId);
    if (event.seq <= entry.seq) return;
    entry.seq = event.seq;
    if (event.type === 'track' && recordedByTailor(event)) entry.state.observe(event, retainMs);
  }

  private entry(workspaceId: string): { state: LearningState; seq: number } {
    let entry = this.states.get(workspaceId);
    if (entry === undefined) {
      entry = { state: new LearningState(), seq: 0 };
      this.states.set(workspaceId, entry);
    }
    return entry;
  }
}

/** The workspaces that learn (an action, variant or experiment with a goal), with how long each keeps decisions. */
function learningWorkspaces(workspaces: Iterable<CompiledWorkspace>): Map<string, number> {
  const retain = new Map<string, number>();
  for (const workspace of workspaces) {
    const longest = workspace.decisions.goals.longestMs;
    if (longest > 0) retain.set(workspace.definition.id, longest);
  }
  return retain;
}

/** A `Goal Reached` recorded by Tailor under the goal event's identity and time. */
function goalReached(
  event: LoggedEvent,
  profileId: string,
  messageId: string,
  properties: Record<string, unknown>,
): TailorEvent {
  return {
    type: 'track',
    messageId,
    timestamp: event.timestamp,
    receivedAt: event.receivedAt,
    ...(event.userId === undefined ? {} : { userId: event.userId }),
    ...(event.anonymousId === undefined ? {} : { anonymousId: event.anonymousId }),
    event: GOAL_REACHED,
    properties: { ...properties, goal_message_id: event.messageId },
    traits: {},
    context: { tailor: { recorded: true, profile_id: profileId } },
    integrations: {},
    origin: 'tailor',
  };
}

function numericValue(value: unknown): { value?: number } {
  return typeof value === 'number' && Number.isFinite(value) ? { value } : {};
}
