/**
 * Content as declared: structured JSON whose string values are Liquid templates
 * (`"Hi {{ profile.traits.first_name | default: 'there' }}"`), rendered per decision.
 */
export type ContentDef = Record<string, unknown>;

/** One variant of a placement: shown when `when` holds (first match wins); no `when` means always. */
export interface VariantDef {
  key: string;
  /** A condition (docs/conditions.md) on the profile and the request (`context.location.city`). */
  when?: unknown;
  content: ContentDef;
  /** Under `strategy: learn`: this variant's own goal, in place of the placement's. */
  goal?: GoalDef;
  /** Under `strategy: learn`: the prior's mean (what you believe before any outcome), 0..1; default 0.5. */
  propensity?: number;
}

/**
 * How a placement picks among its variants: `first_match` shows the first whose `when` holds;
 * `learn` shows, among those whose `when` holds, the one with the highest learned propensity of
 * reaching its goal (a Thompson sample when exploring), as actions learn theirs.
 */
export type PlacementStrategy = 'first_match' | 'learn';

/** A placement (`home_banner`): a slot on a page, email or app screen, with ordered variants. */
export interface PlacementDef {
  key: string;
  description?: string;
  /**
   * What the content is: `html` (the default) HTML-escapes every template output, since a page
   * may insert it as markup; `text` leaves output as it is, for clients that insert it as text.
   */
  format?: 'html' | 'text';
  /** Default `first_match`. */
  strategy?: PlacementStrategy;
  /** Under `strategy: learn`: the goal of every variant that declares none of its own. */
  goal?: GoalDef;
  /** Under `strategy: learn`: the context paths each variant's learned propensity is conditioned on. */
  predictors?: string[];
  variants: VariantDef[];
}

/** A multiplier applied to an action's priority when its condition holds (context weight). */
export interface ContextWeightDef {
  when: unknown;
  weight: number;
}

/** An action next-best-action arbitration can choose (`send_personalized_checkout_reminder`). */
export interface ActionDef {
  key: string;
  description?: string;
  /** Channels it can be sent on (`whatsapp`, `email`, `sms`, `push`, `in_app`), in the business's order. */
  channels: string[];
  /** Content per channel; each must be given for every channel in `channels`. */
  content: Record<string, ContentDef>;
  /** Business value of the action succeeding. */
  value: number;
  /** A business lever, default 1. */
  weight: number;
  /** Likelihood the person responds, 0..1, default 1; a model can supply it later (see `PropensitySource`). */
  propensity: number;
  /** Conditions: may this person get it, is it relevant now, is it right for them. All must hold. */
  eligibility?: unknown;
  applicability?: unknown;
  suitability?: unknown;
  /** Multipliers when conditions hold; their product is the context weight (1 when none hold). */
  contextWeights: ContextWeightDef[];
  /** No repeat of this action to the same person within this many ms. */
  cooldownMs?: number;
  /**
   * Written in a journey's `send` step (`{ channel, content }`): sent only by that step, never
   * a candidate of next-best-action arbitration.
   */
  journeyOnly?: true;
  /** What counts as the action working: a goal event within a window of the decision (see `GoalDef`). */
  goal?: GoalDef;
  /**
   * Context paths the learned propensity is conditioned on (`traits.plan`, `segments`,
   * `context.device.type`): each combination of their values is a bin learned on its own.
   */
  predictors?: string[];
}

/**
 * An action's goal: a track event (`Order Completed`) the person performs within `withinMs` of
 * a decision that chose the action (or, held out, would have), credited to the latest such
 * decision; `value` is the event path read as the goal's value (`properties.revenue`).
 */
export interface GoalDef {
  event: string;
  withinMs: number;
  value?: string;
}

/**
 * How actions with a goal learn their propensity: a Beta prior centred on the declared
 * `propensity` with `priorStrength` pseudo-observations; `explore` false ranks by the posterior
 * mean instead of a Thompson sample, and `maxExploration` bounds the share of decisions that
 * sample at all.
 */
export interface LearningDef {
  priorStrength: number;
  explore: boolean;
  /** The share of decisions (0..1) that rank by Thompson samples; the rest rank by posterior means. */
  maxExploration: number;
}

/** A cap on contacts: at most `max` in any `perMs` window, on one channel or (without `channel`) overall. */
export interface ContactCapDef {
  channel?: string;
  max: number;
  perMs: number;
}

/** Contact policy: caps, suppression after ignored contacts, quiet hours in the person's timezone. */
export interface ContactPolicyDef {
  caps: ContactCapDef[];
  /** After this many contacts in a row with no response, the person gets no action. */
  suppressAfterIgnored?: number;
  /** No sends between `start` and `end` (`HH:MM`, local to the person; the window may cross midnight). */
  quietHours?: { start: string; end: string; defaultTimezone: string };
}

/** A workspace-wide control group: `percent` of profiles (by a stable hash of the id) get no actions. */
export interface HoldoutDef {
  percent: number;
  /** Changes which profiles fall in the group; keep it fixed to keep the group stable. */
  salt: string;
}

/** When a decision is made with no request: an event (`Checkout Abandoned`) or a segment entry. */
export interface DecisionTriggerDef {
  event?: string;
  segmentEntered?: string;
}

/**
 * One arm of an experiment: `percent` of people; `action` (over an action set) or `variant` (over
 * a placement) the one of the set it may get; neither: a control, which gets none of the set.
 */
export interface ExperimentArmDef {
  key: string;
  percent: number;
  action?: string;
  variant?: string;
}

/**
 * An experiment over a set of actions (`actions`) or over the variants of a placement
 * (`placement`; the set is the arms' variants): each person falls, by a stable hash of `salt`,
 * the key and their profile id, in one arm (or none, past the arms' percents). Goals are
 * counted per arm.
 */
export interface ExperimentDef {
  key: string;
  /** The action set, for an experiment over actions. */
  actions?: string[];
  /** The placement, for an experiment over its variants. */
  placement?: string;
  arms: ExperimentArmDef[];
  goal: GoalDef;
  salt: string;
}

/** The decisions section of a workspace. */
export interface DecisionsDef {
  placements: PlacementDef[];
  actions: ActionDef[];
  contactPolicy: ContactPolicyDef;
  holdout?: HoldoutDef;
  triggers: DecisionTriggerDef[];
  /** Present when the file has a `learning` section; actions with a goal learn either way. */
  learning?: LearningDef;
  experiments?: ExperimentDef[];
}
