import type { EventType } from '../ingest/event.ts';

/** One way to earn (or lose) points: events it selects, an optional condition, and the points. */
export interface ScoreRuleDef {
  /** Event types the rule looks at (default: `['track']`). */
  eventTypes: EventType[];
  /** The track event name (or page/screen name) the rule looks at; absent means any. */
  event?: string;
  /** A condition (docs/conditions.md) on `event`, `properties`, `context` and the profile; all events pass without one. */
  where?: Record<string, unknown>;
  /** Points added when the rule matches; negative points take points away. */
  points: number;
}

/** A threshold: a value at or above `min` earns `label` (unless a higher threshold is reached too). */
export interface ScoreLabel {
  label: string;
  min: number;
}

/**
 * A score as declared in the workspace file: points from matching events, decaying with a
 * half-life, read through optional bounds and named by thresholds (`intent`, `engagement`).
 */
export interface ScoreModelDef {
  /** The name under `scores` in the profile. */
  key: string;
  /** The value halves every this many milliseconds without new points; absent means no decay. */
  halfLifeMs?: number;
  /** Bounds applied when the value is read (never stored, so the order of events does not matter). */
  min?: number;
  max?: number;
  rules: ScoreRuleDef[];
  /** Thresholds, highest first; a value below all of them has no label. */
  labels: ScoreLabel[];
}

/**
 * The state of one score on one profile, plain JSON stored with the profile: `v` points as of
 * event time `at` (the latest event that added points). The value at time t is
 * `v × 0.5^((t − at) / halfLife)`.
 */
export interface ScoreState {
  v: number;
  at: number;
}
