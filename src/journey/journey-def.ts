/**
 * What starts a run of a journey: an event (received or derived, like `Checkout Abandoned`), a
 * segment entry or exit, or a decision choosing an action (`decision`: the action key).
 */
export interface JourneyTriggerDef {
  event?: string;
  segmentEntered?: string;
  segmentExited?: string;
  decision?: string;
}

/** Whether a person may start a journey again: never, always (once the previous run ended), or after a period since their last entry. */
export type ReentryDef = { kind: 'once' } | { kind: 'always' } | { kind: 'after'; ms: number };

/**
 * One step of a journey. Steps run in order; `then`/`else`/`onTimeout` name the step to go to
 * by key instead. A run ends after its last step, at an `exit`, or early when the goal event
 * happens.
 */
export type JourneyStepDef =
  /** Waits this long. */
  | { key: string; type: 'wait'; durationMs: number }
  /** Waits until the next time the person's clock shows `time` (`HH:MM`, their time zone). */
  | { key: string; type: 'wait_until'; time: string }
  /** Waits for `event`, going on with the next step when it comes, or to `onTimeout` (default: exit) after `timeoutMs`. */
  | { key: string; type: 'wait_for'; event: string; timeoutMs: number; onTimeout?: string }
  /** Goes to `then` when the condition holds on the profile, else to `else` (default: the next step). */
  | { key: string; type: 'branch'; when: unknown; then: string; else?: string }
  /** Asks the next-best-action stage and sends what it decides (or nothing, when "no action" wins). */
  | { key: string; type: 'decide' }
  /** Sends one action, if the person is eligible and a channel is usable. */
  | { key: string; type: 'send'; action: string }
  /** Sets traits on the profile. */
  | { key: string; type: 'update'; traits: Record<string, unknown> }
  /** Adds the person to, or removes them from, the ad platform list `destination` names (`lists` of an audience channel). */
  | { key: string; type: 'audience'; destination: string; op: 'add' | 'remove' }
  /** Ends the run. */
  | { key: string; type: 'exit' };

/** A journey as declared in the workspace file. */
export interface JourneyDef {
  key: string;
  name?: string;
  trigger: JourneyTriggerDef;
  reentry: ReentryDef;
  /** An event that ends a run early as converted (`Order Completed` for checkout recovery). */
  goal?: { event: string };
  /**
   * How many runs one person may have in progress at once (undefined: one). More lets a
   * journey started per order or per booking follow each; `reentry` still decides whether a
   * person may start again.
   */
  maxActive?: number;
  steps: JourneyStepDef[];
}
