/** Both shapes at least this large: the Beta is drawn by its normal approximation. */
const NORMAL_FROM = 50;

/**
 * One draw from Beta(`alpha`, `beta`) (both > 0) using `random` for uniforms: the ratio of two
 * Gamma draws (Marsaglia and Tsang's method, boosted for shapes below 1); when both shapes are
 * at least 50 (50 successes and 50 failures seen), a normal draw with the Beta's mean and
 * variance, which is as good there and several times cheaper on the decide path.
 */
export function sampleBeta(alpha: number, beta: number, random: () => number): number {
  if (alpha >= NORMAL_FROM && beta >= NORMAL_FROM) {
    // With this much evidence the posterior is all but normal: one normal draw instead of two Gammas.
    const total = alpha + beta;
    const mean = alpha / total;
    const sd = Math.sqrt((alpha * beta) / (total * total * (total + 1)));
    return Math.min(Math.max(mean + sd * sampleNormal(random), 0), 1);
  }
  const x = sampleGamma(alpha, random);
  const y = sampleGamma(beta, random);
  const total = x + y;
  return total > 0 ? x / total : alpha / (alpha + beta);
}

function sampleGamma(shape: number, random: () => number): number {
  if (shape < 1) return sampleGamma(shape + 1, random) * (1 - random()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = sampleNormal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random();
    if (u < 1 - 0.0331 * x ** 4) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A standard normal draw (Box–Muller). */
function sampleNormal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
