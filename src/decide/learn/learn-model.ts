import { sampleBeta } from './beta-sample.ts';

/** Decisions that chose an action (trials) and how many reached its goal (successes). */
export interface OutcomeCounts {
  trials: number;
  successes: number;
}

/** How an action or a placement's variant learns, compiled once with it (see `compileLearning`). */
export interface CompiledLearning {
  /** The goal event's name, its window, and the path of its value. */
  readonly goal: { readonly event: string; readonly withinMs: number; readonly value?: string | undefined };
  /** Reads the goal's value from the goal event (`properties.revenue`); absent without `value`. */
  readonly goalValue: ((event: Record<string, unknown>) => unknown) | undefined;
  readonly predictors: readonly string[];
  /** The bin a decision falls in, from the condition context. */
  readonly bin: (context: Record<string, unknown>) => string;
  /** The prior's mean: the declared propensity, kept inside (0, 1). */
  readonly priorMean: number;
  /** How many observations the prior is worth. */
  readonly priorStrength: number;
  /** Rank by a Thompson sample (true) or by the posterior mean. */
  readonly explore: boolean;
  /** The share of decisions that may rank by samples; the others rank by means. */
  readonly maxExploration: number;
}

/** A learner's propensity in one bin, as the decision used it and the trace shows it. */
export interface LearnedPropensity {
  bin: string;
  /** What the priority used: the sample when exploring, else the mean. */
  propensity: number;
  /** The posterior mean. */
  mean: number;
  /** Decisions seen in this bin (trials), the evidence behind `mean`. */
  evidence: number;
}

/**
 * The key a placement's variant learns under, beside action keys: `home_banner/spring_sale`
 * (keys are lowercase letters, digits and `_`, so it never equals an action's).
 */
export function variantLearner(placement: string, variant: string): string {
  return `${placement}/${variant}`;
}

/** Bins kept per learner; decisions in further bins learn into its pooled counts only. */
export const MAX_BINS_PER_ACTION = 1_000;

/**
 * Beta–Bernoulli propensities per learner (an action, or a placement's variant under
 * `variantLearner`) and predictor bin: each bin's counts update a Beta prior centred on the
 * declared propensity, so a bin never seen starts from what the author believes. Counts are
 * also kept per learner overall, for reports. State is counts only: it is rebuilt by counting again.
 */
export class LearnModel {
  private readonly pooled = new Map<string, OutcomeCounts>();
  private readonly bins = new Map<string, Map<string, OutcomeCounts>>();

  /** Counts a decision that chose `key` in `bin`. */
  trial(key: string, bin: string): void {
    bump(this.pooledOf(key), 'trials');
    const counts = this.binOf(key, bin, true);
    if (counts !== undefined) bump(counts, 'trials');
  }

  /** Counts a decision of `key` in `bin` that reached its goal. */
  success(key: string, bin: string): void {
    bump(this.pooledOf(key), 'successes');
    const counts = this.binOf(key, bin, false);
    if (counts !== undefined) bump(counts, 'successes');
  }

  /** The counts of a learner overall, or in one bin. */
  counts(key: string, bin?: string): OutcomeCounts {
    const counts = bin === undefined ? this.pooled.get(key) : this.bins.get(key)?.get(bin);
    return counts === undefined ? { trials: 0, successes: 0 } : { ...counts };
  }

  /** Every bin of a learner with its counts. */
  binsOf(key: string): [string, OutcomeCounts][] {
    return [...(this.bins.get(key) ?? [])].map(([bin, counts]) => [bin, { ...counts }]);
  }

  /**
   * The propensity of a learner for a decision in `bin`: with `random`, a Thompson sample of the
   * bin's Beta posterior (the prior worth `priorStrength` decisions at `priorMean`, updated by
   * the bin's counts); without, the posterior mean.
   */
  estimate(input: {
    /** The learner: an action key, or `variantLearner(placement, variant)`. */
    key: string;
    learning: CompiledLearning;
    bin: string;
    random: (() => number) | undefined;
  }): LearnedPropensity {
    const { learning, bin } = input;
    const counts = this.bins.get(input.key)?.get(bin);
    const trials = counts?.trials ?? 0;
    const successes = Math.min(counts?.successes ?? 0, trials);
    const alpha = learning.priorStrength * learning.priorMean + successes;
    const beta = learning.priorStrength * (1 - learning.priorMean) + trials - successes;
    const mean = alpha / (alpha + beta);
    const propensity = input.random === undefined ? mean : sampleBeta(alpha, beta, input.random);
    return { bin, propensity, mean, evidence: trials };
  }

  /** The counts as entries in insertion order: `pooled` per learner, `bins` per learner and bin (`[key, trials, successes]`). */
  snapshot(): {
    pooled: [string, number, number][];
    bins: [string, [string, number, number][]][];
  } {
    return {
      pooled: [...this.pooled].map(([key, counts]) => [key, counts.trials, counts.successes]),
      bins: [...this.bins].map(([key, bins]) => [
        key,
        [...bins].map(([bin, counts]) => [bin, counts.trials, counts.successes]),
      ]),
    };
  }

  /** Puts back counts taken by `snapshot`, into an empty model. */
  restore(snapshot: ReturnType<LearnModel['snapshot']>): void {
    for (const [key, trials, successes] of snapshot.pooled) this.pooled.set(key, { trials, successes });
    for (const [key, bins] of snapshot.bins)
      this.bins.set(key, new Map(bins.map(([bin, trials, successes]) => [bin, { trials, successes }])));
  }

  private pooledOf(key: string): OutcomeCounts {
    let counts = this.pooled.get(key);
    if (counts === undefined) {
      counts = { trials: 0, successes: 0 };
      this.pooled.set(key, counts);
    }
    return counts;
  }

  private binOf(key: string, bin: string, create: boolean): OutcomeCounts | undefined {
    let bins = this.bins.get(key);
    if (bins === undefined) {
      if (!create) return undefined;
      bins = new Map();
      this.bins.set(key, bins);
    }
    let counts = bins.get(bin);
    if (counts === undefined && create && bins.size < MAX_BINS_PER_ACTION) {
      counts = { trials: 0, successes: 0 };
      bins.set(bin, counts);
    }
    return counts;
  }
}

function bump(counts: OutcomeCounts, field: keyof OutcomeCounts): void {
  counts[field] += 1;
}
