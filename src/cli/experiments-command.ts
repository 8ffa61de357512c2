import type { ExperimentReport } from '../decide/learn/experiment-report.ts';
import type { LiftEstimate } from '../decide/learn/lift-interval.ts';
import { type Connection, callApi } from './connection.ts';

/** `tailor experiments [key]`: an experiment's arms, lift against control with its 95% interval, as text. */
export async function showExperiment(input: { connection: Connection; key: string }): Promise<string> {
  const report = (await callApi({
    connection: input.connection,
    method: 'GET',
    path: `/v1/experiments/${encodeURIComponent(input.key)}`,
    auth: 'admin',
  })) as ExperimentReport;
  return describeExperiment(report);
}

/** An experiment report as lines of text: one per arm, then what each learning action learned. */
export function describeExperiment(report: ExperimentReport): string {
  const lines = [`${report.key}: ${report.description}`];
  const width = Math.max(...report.arms.map((arm) => arm.arm.length));
  for (const arm of report.arms) {
    const counts = `${arm.conversions}/${arm.exposures} = ${percent(arm.rate)}`;
    const lift = arm.lift === undefined ? '' : `   lift ${describeLift(arm.lift)}`;
    lines.push(`  ${arm.arm.padEnd(width)}  ${counts}${arm.control ? '  (control)' : ''}${lift}`);
  }
  lines.push(`  95% intervals: ${report.method}`);
  for (const action of report.actions ?? []) {
    lines.push(`  ${action.action}: ${action.conversions}/${action.decisions} = ${percent(action.rate)}`);
    for (const bin of action.bins)
      lines.push(`    ${bin.bin}: ${bin.conversions}/${bin.decisions} = ${percent(bin.rate)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `+2.10 points [+0.40, +3.80] (+84% [+16%, +152%])`. */
export function describeLift(lift: LiftEstimate): string {
  const [low, high] = lift.differenceInterval;
  const absolute = `${points(lift.difference)} points [${points(low)}, ${points(high)}]`;
  if (lift.relative === null || lift.relativeInterval === null) return absolute;
  const [relLow, relHigh] = lift.relativeInterval;
  return `${absolute} (${signed(lift.relative)} [${signed(relLow)}, ${signed(relHigh)}])`;
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(2)}%`;
}

function points(difference: number): string {
  const value = difference * 100;
  return `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
}

function signed(ratio: number): string {
  const value = Math.round(ratio * 100);
  return `${value >= 0 ? '+' : ''}${value}%`;
}
