import { isJsonObject } from '../ingest/merge-objects.ts';
import { findSegmentCycles } from './find-segment-cycles.ts';
import { JOURNEY_WAIT_KINDS, type JourneyStepKind } from './journeys-schema.ts';
import type { FieldPathSegment, WorkspaceIssue } from './workspace-issue.ts';

/** A step of a journey whose kind is known: the input of the loop check. */
export interface KindedStep {
  key: string;
  kind: JourneyStepKind;
  step: Record<string, unknown>;
}

/** The branch fields that jump to another step. */
const JUMPS = ['then', 'else'] as const;

/**
 * Loops of a journey's steps (`steps`, in file order; `at` is the journey's path) that go round
 * without a `wait`, `wait_until` or `wait_for` step on them: a run would circle at once and for
 * ever. One issue per loop, at the branch's `then`/`else` that jumps back, naming the steps
 * along it. Jumps to keys the journey does not hold are the reference check's to report.
 */
export function journeyLoopIssues(at: FieldPathSegment[], steps: readonly KindedStep[]): WorkspaceIssue[] {
  const indexOf = new Map<string, number>();
  steps.forEach((step, index) => {
    if (!indexOf.has(step.key)) indexOf.set(step.key, index);
  });
  const waits = (index: number): boolean => {
    const step = steps[index];
    return step === undefined || JOURNEY_WAIT_KINDS.includes(step.kind);
  };
  const ids: string[] = [];
  const goesTo = new Map<string, string[]>();
  steps.forEach((step, index) => {
    if (waits(index)) return;
    ids.push(String(index));
    goesTo.set(
      String(index),
      successors(step, index, steps.length, indexOf)
        .filter((next) => !waits(next))
        .map(String),
    );
  });
  return findSegmentCycles(ids, goesTo).map((cycle) => {
    const indexes = cycle.map(Number);
    const names = indexes.map((index) => steps[index]?.key ?? String(index)).join(' → ');
    return {
      path: [...at, 'steps', ...jumpBack(indexes, steps, indexOf)],
      at: 'value',
      message: `steps loop without waiting: ${names}; a run would go round them at once and without end, so put a \`wait\`, \`wait_until\` or \`wait_for\` step on the loop`,
    };
  });
}

/** The indexes of the steps a run may go to after `step` (at `index`). */
function successors(
  step: KindedStep,
  index: number,
  count: number,
  indexOf: ReadonlyMap<string, number>,
): number[] {
  const next = index + 1 < count ? [index + 1] : [];
  if (step.kind === 'exit') return [];
  if (step.kind !== 'branch' || !isJsonObject(step.step.branch)) return next;
  const { then, else: otherwise } = step.step.branch;
  const target = (key: unknown): number[] => {
    const found = typeof key === 'string' ? indexOf.get(key) : undefined;
    return found === undefined ? [] : [found];
  };
  return [...target(then), ...(otherwise === undefined ? next : target(otherwise))];
}

/**
 * Where a loop (step indexes, the first repeated at the end) is closed: the `then`/`else` of
 * the branch on it that jumps back (or to itself), else the first jump along it, else its first step.
 */
function jumpBack(
  cycle: readonly number[],
  steps: readonly KindedStep[],
  indexOf: ReadonlyMap<string, number>,
): FieldPathSegment[] {
  const jumps: { from: number; field: string; back: boolean }[] = [];
  for (let position = 0; position + 1 < cycle.length; position += 1) {
    const from = cycle[position];
    const to = cycle[position + 1];
    const branch = from === undefined ? undefined : steps[from]?.step.branch;
    if (from === undefined || to === undefined || !isJsonObject(branch)) continue;
    const field = JUMPS.find((jump) => {
      const key = branch[jump];
      return typeof key === 'string' && indexOf.get(key) === to;
    });
    if (field !== undefined) jumps.push({ from, field, back: to <= from });
  }
  const jump = jumps.find((candidate) => candidate.back) ?? jumps[0];
  if (jump !== undefined) return [jump.from, 'branch', jump.field];
  return cycle[0] === undefined ? [] : [cycle[0]];
}
