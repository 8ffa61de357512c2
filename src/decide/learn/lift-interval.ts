/** Exposures and conversions of one arm. */
export interface ArmCounts {
  exposures: number;
  conversions: number;
}

/** An arm against control: rates, lift and its 95% interval. */
export interface LiftEstimate {
  rate: number;
  controlRate: number;
  /** Absolute lift: rate − control rate. */
  difference: number;
  /** 95% interval of the difference (Newcombe's hybrid score interval, from Wilson intervals). */
  differenceInterval: [number, number];
  /** Relative lift: difference / control rate; null when the control converted nobody. */
  relative: number | null;
  /** The difference's interval over the control rate; null when the control converted nobody. */
  relativeInterval: [number, number] | null;
}

const Z95 = 1.959963984540054;

/** Wilson score interval of a proportion `x / n` at 95% (0..1 when n is 0). */
export function wilsonInterval(x: number, n: number): [number, number] {
  if (n <= 0) return [0, 1];
  const p = x / n;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * An arm's conversion rate against the control's, with the 95% interval of the difference by
 * Newcombe's hybrid score method (method 10 of Newcombe 1998), which keeps its coverage for
 * small counts and rates near 0 where the Wald interval does not. The relative lift's interval
 * is that interval over the control's rate (the control's own uncertainty is in the difference).
 */
export function liftAgainstControl(arm: ArmCounts, control: ArmCounts): LiftEstimate {
  const rate = arm.exposures > 0 ? arm.conversions / arm.exposures : 0;
  const controlRate = control.exposures > 0 ? control.conversions / control.exposures : 0;
  const [l1, u1] = wilsonInterval(arm.conversions, arm.exposures);
  const [l2, u2] = wilsonInterval(control.conversions, control.exposures);
  const difference = rate - controlRate;
  const lower = difference - Math.sqrt((rate - l1) ** 2 + (u2 - controlRate) ** 2);
  const upper = difference + Math.sqrt((u1 - rate) ** 2 + (controlRate - l2) ** 2);
  const relative = controlRate > 0 ? difference / controlRate : null;
  return {
    rate,
    controlRate,
    difference,
    differenceInterval: [lower, upper],
    relative,
    relativeInterval: controlRate > 0 ? [lower / controlRate, upper / controlRate] : null,
  };
}
