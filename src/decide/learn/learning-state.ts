import { CONTENT_SHOWN, DECISION_MADE, GOAL_REACHED } from '../../ingest/reserved-events.ts';
import { mapInSlices } from '../../map-in-slices.ts';
import { type CompiledLearning, LearnModel, variantLearner } from './learn-model.ts';
import {
  LEARNING_SNAPSHOT_VERSION,
  type LearningCounts,
  type LearningSnapshot,
  snapshotJson,
} from './learning-snapshot.ts';

/** Which arm of the holdout a decision fell in: next best action as decided, or held out. */
export type DecisionGroup = 'action' | 'held_out';

/**
 * A decision whose winner (chosen, or for someone held out, the one that would have won) has a
 * goal, or a variant shown by a placement that learns.
 */
export interface DecisionRecord {
  /** The `Decision Made` (or `Content Shown`) event's id. */
  id: string;
  profileId: string;
  /** The action, or for a placement the variant shown. */
  action: string;
  /** For a variant shown: its placement. */
  placement?: string;
  /** What it learns under: the action key, or `variantLearner(placement, variant)`. */
  learner: string;
  group: DecisionGroup;
  at: number;
  bin: string;
  /** A `Goal Reached` for it was counted. */
  converted: boolean;
  /** A goal event was credited to it (its `Goal Reached` may not be applied yet): never credit twice. */
  credited: boolean;
}

/** Decisions and goals reached in one group, with the goals' summed value. */
export interface GroupCounts {
  decisions: number;
  conversions: number;
  value: number;
}

/** A decision for someone in an experiment's arm, kept to credit the experiment's goal to it. */
export interface ExperimentRecord {
  id: string;
  experiment: string;
  arm: string;
  at: number;
  converted: boolean;
  credited: boolean;
}

/** What a recorded event must carry for the fold: the fields of a logged track event it reads. */
export interface RecordedEvent {
  messageId: string;
  event?: string | undefined;
  timestamp: number;
  properties: Record<string, unknown>;
  context: Record<string, unknown>;
}

/** Decisions kept per person for attribution; older ones are let go first. */
const DECISIONS_PER_PROFILE = 20;
/** Observations between two sweeps of decisions past every goal window. */
const SWEEP_EVERY = 10_000;

/**
 * What one workspace has learned, as a fold over the events Tailor records, in log order: a
 * `Decision Made` whose winner has a goal (it carries `learning`) is a trial of that action in
 * its bin, or a held-out decision; a `Content Shown` with `learning` is a trial of that variant
 * of its placement; a `Goal Reached` is that decision's success, counted once
 * while the decision is kept (a decision is credited once, so a second one cannot arise later).
 * Nothing else is read, so counting the same log again gives the same state. It also keeps
 * each person's recent such decisions, to credit a goal event to the latest one (`attribute`).
 */
export class LearningState {
  readonly model = new LearnModel();
  readonly groups: Record<DecisionGroup, GroupCounts> = {
    action: { decisions: 0, conversions: 0, value: 0 },
    held_out: { decisions: 0, conversions: 0, value: 0 },
  };
  /** Decisions and goals per experiment and arm. */
  readonly experiments = new Map<string, Map<string, GroupCounts>>();
  private readonly recent = new Map<string, DecisionRecord[]>();
  private readonly inExperiments = new Map<string, ExperimentRecord[]>();
  private readonly experimentById = new Map<string, ExperimentRecord>();
  private readonly byId = new Map<string, DecisionRecord>();
  private observed = 0;

  /**
   * Folds one event in. `retainMs` is how long decisions are kept for attribution (the longest
   * goal window); events Tailor did not record are ignored.
   */
  observe(event: RecordedEvent, retainMs: number): void {
    if (event.event === DECISION_MADE) this.decisionMade(event, retainMs);
    else if (event.event === CONTENT_SHOWN) this.contentShown(event, retainMs);
    else if (event.event === GOAL_REACHED) this.goalReached(event);
    else return;
    this.observed += 1;
    if (this.observed % SWEEP_EVERY === 0) this.sweep(event.timestamp - retainMs);
  }

  /**
   * The decisions a goal event (`name` at `at`) is credited to: among the decisions of the
   * person's profile ids at or before it, within their learner's goal window, whose learner has
   * this goal and that no goal event was credited to yet, the latest next-best-action decision
   * and, per placement, the latest variant shown. The caller records each credit as a
   * `Goal Reached` event and marks it `credited`.
   */
  attribute(input: {
    profileIds: readonly string[];
    name: string;
    at: number;
    learners: ReadonlyMap<string, CompiledLearning>;
  }): { decision: DecisionRecord; learning: CompiledLearning }[] {
    const latest = new Map<string, { decision: DecisionRecord; learning: CompiledLearning }>();
    for (const profileId of input.profileIds) {
      for (const decision of this.recent.get(profileId) ?? []) {
        if (decision.converted || decision.credited || decision.at > input.at) continue;
        const slot = decision.placement ?? '';
        const found = latest.get(slot);
        if (found !== undefined && decision.at <= found.decision.at) continue;
        const learning = input.learners.get(decision.learner);
        if (learning === undefined || learning.goal.event !== input.name) continue;
        if (input.at - decision.at > learning.goal.withinMs) continue;
        latest.set(slot, { decision, learning });
      }
    }
    return [...latest.values()];
  }

  /**
   * The decisions of the person's profile ids in experiments whose goal is `name` (`goals`:
   * experiment key → goal event and window) that a goal event at `at` is credited to: per
   * experiment, the latest at or before it, within the window, not credited yet.
   */
  attributeExperiments(input: {
    profileIds: readonly string[];
    name: string;
    at: number;
    goals: ReadonlyMap<string, { event: string; withinMs: number }>;
  }): ExperimentRecord[] {
    const latest = new Map<string, ExperimentRecord>();
    for (const profileId of input.profileIds) {
      for (const record of this.inExperiments.get(profileId) ?? []) {
        const goal = input.goals.get(record.experiment);
        if (goal === undefined || goal.event !== input.name || record.credited || record.converted) continue;
        if (record.at > input.at || input.at - record.at > goal.withinMs) continue;
        const found = latest.get(record.experiment);
        if (found === undefined || record.at > found.at) latest.set(record.experiment, record);
      }
    }
    return [...latest.values()];
  }

  /** How many decisions are kept for attribution (what a snapshot's size grows with). */
  get size(): number {
    return this.byId.size + this.experimentById.size;
  }

  /** The counts of one experiment's arm. */
  armCounts(experiment: string, arm: string): GroupCounts {
    return { ...(this.experiments.get(experiment)?.get(arm) ?? { decisions: 0, conversions: 0, value: 0 }) };
  }

  /**
   * The state as plain data, to keep beside the view checkpoint: `fromSnapshot` of it folds the
   * events after it exactly as this state would.
   */
  snapshot(): LearningSnapshot {
    return {
      ...this.counts(),
      recent: [...this.recent].map(recentEntry),
      inExperiments: [...this.inExperiments].map(experimentEntry),
    };
  }

  /**
   * `snapshot` as JSON, built a person at a time in slices that let I/O in: a state can keep
   * 100,000 decisions, and building and encoding those in one go held the event loop 130–360 ms
   * on a loaded machine (in slices, at most 66–133 ms, for about twice the CPU). Nothing may
   * count into the state until this resolves.
   */
  async encode(): Promise<string> {
    const people = await mapInSlices([...this.recent], (entry) => JSON.stringify(recentEntry(entry)));
    const inArms = await mapInSlices([...this.inExperiments], (entry) =>
      JSON.stringify(experimentEntry(entry)),
    );
    return snapshotJson({ counts: this.counts(), recent: people, inExperiments: inArms });
  }

  /** The snapshot but for the decisions kept. */
  private counts(): LearningCounts {
    const counts = (group: GroupCounts): [number, number, number] => [
      group.decisions,
      group.conversions,
      group.value,
    ];
    return {
      version: LEARNING_SNAPSHOT_VERSION,
      observed: this.observed,
      groups: { action: counts(this.groups.action), held_out: counts(this.groups.held_out) },
      experiments: [...this.experiments].map(([experiment, arms]) => [
        experiment,
        [...arms].map(([arm, group]) => [arm, ...counts(group)]),
      ]),
      ...this.model.snapshot(),
    };
  }

  /** A state as `snapshot` took it (no decision counts as credited: see `LearningSnapshot`). */
  static fromSnapshot(snapshot: LearningSnapshot): LearningState {
    const state = new LearningState();
    state.observed = snapshot.observed;
    const counts = ([decisions, conversions, value]: readonly number[]): GroupCounts => ({
      decisions: decisions ?? 0,
      conversions: conversions ?? 0,
      value: value ?? 0,
    });
    Object.assign(state.groups.action, counts(snapshot.groups.action));
    Object.assign(state.groups.held_out, counts(snapshot.groups.held_out));
    for (const [experiment, arms] of snapshot.experiments)
      state.experiments.set(experiment, new Map(arms.map(([arm, ...group]) => [arm, counts(group)])));
    state.model.restore(snapshot);
    for (const [profileId, list] of snapshot.recent) {
      const records = list.map(
        ([id, action, placement, group, at, bin, converted]): DecisionRecord => ({
          id,
          profileId,
          action,
          ...(placement === null ? {} : { placement }),
          learner: placement === null ? action : variantLearner(placement, action),
          group,
          at,
          bin,
          converted,
          credited: false,
        }),
      );
      for (const record of records) state.byId.set(record.id, record);
      state.recent.set(profileId, records);
    }
    for (const [profileId, list] of snapshot.inExperiments) {
      const records = list.map(
        ([id, experiment, arm, at, converted]): ExperimentRecord => ({
          id,
          experiment,
          arm,
          at,
          converted,
          credited: false,
        }),
      );
      for (const record of records)
        state.experimentById.set(`${record.experiment}\u0000${record.id}`, record);
      state.inExperiments.set(profileId, records);
    }
    return state;
  }

  /**
   * Lets go of the decisions kept for these profiles (a person erased): nothing personal stays
   * in the state, only the counts their decisions added, which name no one.
   */
  forget(profileIds: readonly string[]): void {
    for (const profileId of profileIds) {
      for (const record of this.recent.get(profileId) ?? []) this.byId.delete(record.id);
      for (const record of this.inExperiments.get(profileId) ?? [])
        this.experimentById.delete(`${record.experiment}\u0000${record.id}`);
      this.recent.delete(profileId);
      this.inExperiments.delete(profileId);
    }
  }

  private decisionMade(event: RecordedEvent, retainMs: number): void {
    this.experimentDecision(event, retainMs);
    const { properties } = event;
    const bin = binOf(properties['learning']);
    if (bin === undefined) return;
    const outcome = properties['outcome'];
    const group: DecisionGroup | undefined =
      outcome === 'action' ? 'action' : outcome === 'held_out' ? 'held_out' : undefined;
    const action = group === 'action' ? properties['action'] : properties['recommended_action'];
    if (group === undefined || typeof action !== 'string') return;
    this.groups[group].decisions += 1;
    if (group === 'action') this.model.trial(action, bin);
    this.keep({ event, action, learner: action, group, bin }, retainMs);
  }

  /** A variant shown by a placement that learns, or in an experiment: a trial of the variant, an exposure of the arm. */
  private contentShown(event: RecordedEvent, retainMs: number): void {
    this.experimentDecision(event, retainMs);
    const { properties } = event;
    const bin = binOf(properties['learning']);
    const placement = properties['placement'];
    const variant = properties['variant'];
    if (bin === undefined || typeof placement !== 'string' || typeof variant !== 'string') return;
    const learner = variantLearner(placement, variant);
    this.model.trial(learner, bin);
    this.keep({ event, action: variant, placement, learner, group: 'action', bin }, retainMs);
  }

  /** Keeps a decision of a known person for attribution, letting go of their oldest past the limits. */
  private keep(
    input: Pick<DecisionRecord, 'action' | 'placement' | 'learner' | 'group' | 'bin'> & {
      event: RecordedEvent;
    },
    retainMs: number,
  ): void {
    const { event, ...fields } = input;
    const record: DecisionRecord = {
      id: event.messageId,
      profileId: profileIdOf(event) ?? '',
      ...fields,
      at: event.timestamp,
      converted: false,
      credited: false,
    };
    if (record.profileId === '') return;
    this.byId.set(record.id, record);
    const list = this.recent.get(record.profileId) ?? [];
    list.push(record);
    const oldest = record.at - retainMs;
    while (list.length > DECISIONS_PER_PROFILE || (list[0] !== undefined && list[0].at < oldest)) {
      const dropped = list.shift();
      if (dropped !== undefined) this.byId.delete(dropped.id);
    }
    this.recent.set(record.profileId, list);
  }

  private experimentDecision(event: RecordedEvent, retainMs: number): void {
    const arms = event.properties['experiments'];
    if (typeof arms !== 'object' || arms === null) return;
    const profileId = profileIdOf(event);
    for (const [experiment, arm] of Object.entries(arms)) {
      if (typeof arm !== 'string') continue;
      this.arm(experiment, arm).decisions += 1;
      if (profileId === undefined) continue;
      const record: ExperimentRecord = {
        id: event.messageId,
        experiment,
        arm,
        at: event.timestamp,
        converted: false,
        credited: false,
      };
      this.experimentById.set(`${experiment}\u0000${record.id}`, record);
      const list = this.inExperiments.get(profileId) ?? [];
      list.push(record);
      const oldest = record.at - retainMs;
      while (list.length > DECISIONS_PER_PROFILE || (list[0] !== undefined && list[0].at < oldest)) {
        const dropped = list.shift();
        if (dropped !== undefined) this.experimentById.delete(`${dropped.experiment}\u0000${dropped.id}`);
      }
      this.inExperiments.set(profileId, list);
    }
  }

  private arm(experiment: string, arm: string): GroupCounts {
    let arms = this.experiments.get(experiment);
    if (arms === undefined) {
      arms = new Map();
      this.experiments.set(experiment, arms);
    }
    let counts = arms.get(arm);
    if (counts === undefined) {
      counts = { decisions: 0, conversions: 0, value: 0 };
      arms.set(arm, counts);
    }
    return counts;
  }

  private goalReached(event: RecordedEvent): void {
    const { properties } = event;
    const experiment = properties['experiment'];
    if (typeof experiment === 'string') {
      const id = properties['decision_id'];
      const arm = properties['arm'];
      if (typeof id !== 'string' || typeof arm !== 'string') return;
      const record = this.experimentById.get(`${experiment}\u0000${id}`);
      if (record?.converted === true) return;
      if (record !== undefined) record.converted = true;
      const counts = this.arm(experiment, arm);
      counts.conversions += 1;
      const value = properties['value'];
      if (typeof value === 'number' && Number.isFinite(value)) counts.value += value;
      return;
    }
    const id = properties['decision_id'];
    const bin = typeof properties['bin'] === 'string' ? properties['bin'] : '*';
    const placement = properties['placement'];
    if (typeof placement === 'string') {
      const variant = properties['variant'];
      if (typeof id !== 'string' || typeof variant !== 'string' || this.converted(id)) return;
      this.model.success(variantLearner(placement, variant), bin);
      return;
    }
    const action = properties['action'];
    const group = properties['group'];
    if (typeof id !== 'string' || typeof action !== 'string') return;
    if (group !== 'action' && group !== 'held_out') return;
    if (this.converted(id)) return;
    const counts = this.groups[group];
    counts.conversions += 1;
    const value = properties['value'];
    if (typeof value === 'number' && Number.isFinite(value)) counts.value += value;
    if (group === 'action') this.model.success(action, bin);
  }

  /**
   * Marks the decision `id` converted; true when it was already (its success is counted). A
   * decision no longer kept cannot be credited again, so its goal counts.
   */
  private converted(id: string): boolean {
    const record = this.byId.get(id);
    if (record?.converted === true) return true;
    if (record !== undefined) record.converted = true;
    return false;
  }

  /** Lets go of decisions made before `before`: no goal event can be credited to them any more. */
  private sweep(before: number): void {
    for (const [profileId, list] of this.inExperiments) {
      const kept = list.filter((record) => record.at >= before);
      for (const record of list)
        if (record.at < before) this.experimentById.delete(`${record.experiment}\u0000${record.id}`);
      if (kept.length === 0) this.inExperiments.delete(profileId);
      else this.inExperiments.set(profileId, kept);
    }
    for (const [profileId, list] of this.recent) {
      const kept = list.filter((record) => record.at >= before);
      for (const record of list) if (record.at < before) this.byId.delete(record.id);
      if (kept.length === 0) this.recent.delete(profileId);
      else this.recent.set(profileId, kept);
    }
  }
}

/** A person's kept decisions as a snapshot keeps them. */
function recentEntry([profileId, list]: [string, DecisionRecord[]]): LearningSnapshot['recent'][number] {
  return [
    profileId,
    list.map((record) => [
      record.id,
      record.action,
      record.placement ?? null,
      record.group,
      record.at,
      record.bin,
      record.converted,
    ]),
  ];
}

/** A person's kept decisions in experiments as a snapshot keeps them. */
function experimentEntry([profileId, list]: [
  string,
  ExperimentRecord[],
]): LearningSnapshot['inExperiments'][number] {
  return [
    profileId,
    list.map((record) => [record.id, record.experiment, record.arm, record.at, record.converted]),
  ];
}

/** The bin a recorded decision's `learning` names (`*` when it names none); undefined when it does not learn. */
function binOf(learning: unknown): string | undefined {
  if (typeof learning !== 'object' || learning === null) return undefined;
  const bin: unknown = Reflect.get(learning, 'bin');
  return typeof bin === 'string' ? bin : '*';
}

function profileIdOf(event: RecordedEvent): string | undefined {
  const tailor = event.context['tailor'];
  if (typeof tailor !== 'object' || tailor === null) return undefined;
  const id: unknown = Reflect.get(tailor, 'profile_id');
  return typeof id === 'string' ? id : undefined;
}
