/** A risk a detector set, with when it was set and when the pattern that set it started. */
export interface RiskState {
  /** When the risk was set (epoch ms): the moment the wait ran out. */
  at: number;
  /** When the starting event happened (epoch ms). */
  since: number;
}

/** A detector waiting for its completing event: started at `since`, fires at `due`. */
export interface PendingDetector {
  since: number;
  due: number;
}

/**
 * The audience side of a profile (owned by src/audience), plain JSON stored with it: segment
 * memberships, risks, the lifecycle stage, detectors waiting, and the next moment any of these
 * can change by time alone. Absent on profiles that no audience definition has looked at.
 */
export interface AudienceState {
  /** Segment key → when the profile entered it (epoch ms). */
  segments: Record<string, number>;
  /** Risk key → the risk. */
  risks: Record<string, RiskState>;
  /** The lifecycle stage as last evaluated; null when none holds. */
  stage: string | null;
  /** Detector key → its wait. */
  pending: Record<string, PendingDetector>;
  /** The time the audience was last evaluated at (epoch ms); evaluation never goes back before it. */
  at: number;
  /**
   * The earliest moment after `at` at which a membership, risk or stage can change with no new
   * event (a window running out, a score decaying past a threshold, a detector's wait ending).
   * Absent when none can. The store indexes it, so timers find due profiles without scanning.
   */
  due?: number;
}
