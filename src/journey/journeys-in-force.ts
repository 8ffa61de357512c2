import { type CompiledJourneys, compileJourneys } from './compile-journeys.ts';
import type { JourneyDef } from './journey-def.ts';

/**
 * The journeys in force at one point of the log: the definitions new runs start on (and their
 * version, which each run keeps), the journeys paused there, and the definitions of earlier
 * versions, so a changed journey keeps its runs in flight on the version they started with.
 */
export interface JourneysInForce {
  readonly current: CompiledJourneys;
  /** The version new runs are stamped with. */
  readonly version: number;
  /** Keys of paused journeys: no run enters them, and their runs hold before each action. */
  readonly paused: ReadonlySet<string>;
  /** The definitions in force at `version`, when known. */
  pinned(version: number): CompiledJourneys | undefined;
}

const NOTHING: ReadonlySet<string> = new Set();

/** Journeys as one definition gives them: nothing paused, every run read against these definitions. */
export function journeysOf(current: CompiledJourneys, version: number): JourneysInForce {
  return { current, version, paused: NOTHING, pinned: () => current };
}

/** No journeys: what holds before the log says otherwise. */
export const NO_JOURNEYS: JourneysInForce = journeysOf(compileJourneys([]), 0);

/**
 * Every version of a workspace's journeys seen so far, compiled once each (versions with equal
 * definitions share one compilation), for the runs that started on them.
 */
export class JourneyVersions {
  private readonly byVersion = new Map<number, CompiledJourneys>();
  private readonly byText = new Map<string, CompiledJourneys>();

  /** Compiles (or reuses) the definitions of `version` and remembers them. */
  add(version: number, defs: readonly JourneyDef[]): CompiledJourneys {
    const known = this.byVersion.get(version);
    if (known !== undefined) return known;
    const text = JSON.stringify(defs);
    const compiled = this.byText.get(text) ?? compileJourneys(defs);
    this.byText.set(text, compiled);
    this.byVersion.set(version, compiled);
    return compiled;
  }

  /** The journeys in force with `version` current and `paused` paused. */
  inForce(version: number, paused: readonly string[]): JourneysInForce {
    const current = this.byVersion.get(version);
    if (current === undefined) throw new Error(`journeys version ${version} is unknown`);
    return {
      current,
      version,
      paused: paused.length === 0 ? NOTHING : new Set(paused),
      pinned: (pinned) => this.byVersion.get(pinned),
    };
  }
}
