import { type Static, Type } from 'typebox';
import { Compile } from 'typebox/compile';

/** The snapshot format's version: a snapshot of another version is not read (the log is counted instead). */
export const LEARNING_SNAPSHOT_VERSION = 1;

const Count = Type.Integer({ minimum: 0 });
/** `[decisions, conversions, value]`. */
const GroupCountsTuple = Type.Tuple([Count, Count, Type.Number()]);

/**
 * A learning state as plain data (`LearningState.snapshot`), compact for storage: tuples, and
 * every map as its entries in insertion order, so a restored state iterates, caps bins and lets
 * decisions go exactly as the counted one. A decision's `credited` is not kept: it stands for a
 * credit whose `Goal Reached` is not applied yet, which a count of the log does not know either.
 */
export const LearningSnapshotSchema = Type.Object({
  version: Type.Literal(LEARNING_SNAPSHOT_VERSION),
  /** Observations so far (they time the sweeps). */
  observed: Count,
  groups: Type.Object({ action: GroupCountsTuple, held_out: GroupCountsTuple }),
  /** Experiment → `[arm, decisions, conversions, value]`. */
  experiments: Type.Array(
    Type.Tuple([Type.String(), Type.Array(Type.Tuple([Type.String(), Count, Count, Type.Number()]))]),
  ),
  /** Learner → `[trials, successes]` overall. */
  pooled: Type.Array(Type.Tuple([Type.String(), Count, Count])),
  /** Learner → bin → `[trials, successes]`. */
  bins: Type.Array(Type.Tuple([Type.String(), Type.Array(Type.Tuple([Type.String(), Count, Count]))])),
  /**
   * Profile id → its kept decisions, oldest first: `[id, action, placement (null for next best
   * action), group, at, bin, converted]`.
   */
  recent: Type.Array(
    Type.Tuple([
      Type.String(),
      Type.Array(
        Type.Tuple([
          Type.String(),
          Type.String(),
          Type.Union([Type.String(), Type.Null()]),
          Type.Union([Type.Literal('action'), Type.Literal('held_out')]),
          Type.Number(),
          Type.String(),
          Type.Boolean(),
        ]),
      ),
    ]),
  ),
  /** Profile id → its kept decisions in experiments, oldest first: `[id, experiment, arm, at, converted]`. */
  inExperiments: Type.Array(
    Type.Tuple([
      Type.String(),
      Type.Array(Type.Tuple([Type.String(), Type.String(), Type.String(), Type.Number(), Type.Boolean()])),
    ]),
  ),
});

/** A learning state as plain data; see `LearningSnapshotSchema`. */
export type LearningSnapshot = Static<typeof LearningSnapshotSchema>;

/** The schema's compiled check, made when first needed (`Value.Check` takes ~14 µs a kept decision, this ~0.1). */
let validator: ReturnType<typeof compileSnapshotCheck> | undefined;

function compileSnapshotCheck() {
  return Compile(LearningSnapshotSchema);
}

/** The snapshot in `text` (JSON), or undefined when it is not one of this version. */
export function parseLearningSnapshot(text: string): LearningSnapshot | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  validator ??= compileSnapshotCheck();
  return validator.Check(value) ? value : undefined;
}

/** A snapshot but for the decisions kept (`recent`, `inExperiments`). */
export type LearningCounts = Omit<LearningSnapshot, 'recent' | 'inExperiments'>;

/**
 * A snapshot's JSON from its counts and its kept decisions already encoded, one JSON array per
 * person (`LearningState.encode` encodes them in slices).
 */
export function snapshotJson(input: {
  counts: LearningCounts;
  recent: string[];
  inExperiments: string[];
}): string {
  // `counts` is never empty (it has `version`), so its JSON ends with `}` after a member.
  const head = JSON.stringify(input.counts).slice(0, -1);
  return `${head},"recent":[${input.recent.join(',')}],"inExperiments":[${input.inExperiments.join(',')}]}`;
}
