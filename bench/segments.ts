/**
 * Segment scaling: the in-memory pipeline (as bench/pipeline.ts measures it) on the same events
 * and people with three workspaces that differ only in their segments:
 * - `few`: 10 segments, 5 of them reading the events sent;
 * - `many`: 1,000 segments, the same 5 reading the events sent and 995 reading other events
 *   (`$performed`, computed traits, scores), which the audience's event index skips;
 * - `traits`: 1,000 segments, the 5 and 995 reading `traits.*`, which every identify evaluates.
 * Rounds alternate the order of `few` and `many`; each round runs every workspace on a fresh
 * view. Prints one JSON line with nanoseconds per event for each round.
 */
import { compileWorkspace } from '../src/engine/compiled-workspace.ts';
import { parseWorkspaceYaml } from '../src/workspace/load-workspace.ts';
import { applyInMemory, eventBodies } from './in-memory.ts';
import { type OtherSegmentReads, segmentWorkspaceYaml } from './workload.ts';

const EVENTS = Number(process.env.BENCH_SEGMENT_EVENTS ?? 400_000);
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 100_000);
const ROUNDS = Number(process.env.BENCH_SEGMENT_ROUNDS ?? 5);

type Variant = 'few' | 'many' | 'traits';

const VARIANTS: Record<Variant, { segments: number; reads: OtherSegmentReads }> = {
  few: { segments: 10, reads: 'other-events' },
  many: { segments: 1_000, reads: 'other-events' },
  traits: { segments: 1_000, reads: 'traits' },
};

const workspaces = new Map(
  (Object.keys(VARIANTS) as Variant[]).map((variant) => [
    variant,
    compileWorkspace(
      parseWorkspaceYaml({ text: segmentWorkspaceYaml({ id: 'bench', ...VARIANTS[variant] }) }),
      1,
    ),
  ]),
);

function run(variant: Variant, bodies: readonly string[]): number {
  const workspace = workspaces.get(variant);
  if (workspace === undefined) throw new Error(`no workspace for ${variant}`);
  globalThis.gc?.();
  const { events, seconds } = applyInMemory(bodies, workspace);
  return (seconds * 1e9) / events;
}

const bodies = eventBodies({ events: EVENTS, people: PEOPLE });
// Warm-up on a tenth of the events, untimed, so the first timed round is not the JIT's.
const warmUp = bodies.slice(0, Math.max(1, Math.floor(bodies.length / 10)));
for (const variant of Object.keys(VARIANTS) as Variant[]) run(variant, warmUp);

const ns: Record<Variant, number[]> = { few: [], many: [], traits: [] };
for (let round = 0; round < ROUNDS; round += 1) {
  process.stderr.write(`segments: round ${round + 1}/${ROUNDS}\n`);
  const order: Variant[] = round % 2 === 0 ? ['few', 'many', 'traits'] : ['many', 'few', 'traits'];
  for (const variant of order) ns[variant].push(run(variant, bodies));
}
console.log(JSON.stringify({ events: EVENTS, people: PEOPLE, rounds: ROUNDS, ns }));
