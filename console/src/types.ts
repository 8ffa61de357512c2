/** Shapes of the admin API's answers, as the console reads them (see `/openapi.json`). */

export interface Overview {
  workspace: string;
  version: number;
  at: string;
  events: { per_second: number; last_minute: number[] };
  profiles: number;
  segments: { key: string; name: string | null; size: number }[];
  sends: { by_status: Record<string, number>; dead_letters: number };
  timers: { next_due: string | null; late_ms: number };
  rebuild: { done: number; total: number } | null;
}

export interface Profile {
  id: string;
  identifiers: Record<string, string[]>;
  traits: Record<string, unknown>;
  computed: Record<string, unknown>;
  scores: Record<string, { value: number; label: string | null }>;
  lifecycle_stage: string | null;
  segments: Record<string, { entered_at: string }>;
  risks: Record<string, { at: string; since: string }>;
  consent: Record<string, { granted?: boolean; at?: string; source?: string } | undefined>;
  first_seen: string;
  last_seen: string;
  merged_ids?: string[];
  event_count?: number;
}

export interface LoggedEvent {
  type: string;
  messageId: string;
  timestamp: number;
  event?: string;
  name?: string;
  userId?: string;
  anonymousId?: string;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  context: { tailor?: { derived?: boolean; recorded?: boolean } } & Record<string, unknown>;
  origin?: string;
  seq: number;
}

export interface Merge {
  into_id: string;
  from_id: string;
  message_id: string;
  identifiers: unknown;
  at: string;
}

export interface ProfileJourneys {
  active: {
    journey: string;
    step: string | null;
    held: boolean;
    entered_at: string;
    waiting_until: string | null;
    waiting_for: unknown;
    path: unknown;
  }[];
  history: {
    journey: string;
    entries: number;
    last_entered_at: string;
    last_outcome: string | null;
    outcomes: Record<string, number>;
  }[];
}

export interface Segment {
  key: string;
  name: string | null;
  description: string | null;
  when: unknown;
  size: number;
}

export interface Journey {
  key: string;
  name: string | null;
  paused: boolean;
  entered: number;
  active: number;
  ended: Record<string, number>;
  steps: {
    key: string;
    type: string;
    entered: number;
    waiting: number;
    sent: number;
    ended: Record<string, number>;
  }[];
}

export interface Send {
  id: string;
  profile_id: string;
  channel: string;
  to: string;
  action: string | null;
  trigger: string | null;
  status: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
}

export interface ConditionTrace {
  condition: string;
  holds: boolean;
  reads?: Record<string, unknown>;
}

export interface CandidateTrace {
  action: string;
  candidate: boolean;
  conditions: ConditionTrace[];
  priority?: number;
  arithmetic?: string;
  contextWeights?: { index: number; weight: number }[];
  channels?: { channel: string; allowed: boolean; reason?: string }[];
}

export interface Decision {
  profile_id: string | null;
  placements: Record<
    string,
    {
      variant: string | null;
      content: unknown;
      /** Under `strategy: learn`: the shown variant's learned propensity, and whether it won by exploring. */
      learning?: { bin: string; propensity: number; mean: number; evidence: number; explored: boolean };
      trace?: {
        variant: string;
        holds: boolean;
        reads?: Record<string, unknown>;
        /** The experiment whose arm leaves this variant out. */
        experiment?: string;
        learned?: { bin: string; propensity: number; mean: number; evidence: number };
      }[];
    }
  >;
  action?: {
    outcome: 'action' | 'no_action' | 'held_out';
    action: string | null;
    channel: string | null;
    timing: string | null;
    send_at: string | null;
    content: unknown;
    reason: string | null;
    context: Record<string, unknown>;
    decided_at: string;
    trace?: {
      candidates: CandidateTrace[];
      winner: { action: string; channel: string } | null;
      holdout?: { percent: number; bucket: number; heldOut: boolean };
      timing?: { timezone: string; quietHours: { start: string; end: string } | null; sendAt: string | null };
      renderErrors: { path: string; message: string }[];
    };
  };
}
