/**
 * The exposure log: which variant of which placement a decision showed to whom, kept apart from
 * the event log. An exposure is a fact about what Tailor served, not an event a profile is built
 * from: it is never replayed or applied to a profile, so recording one writes one compact row and
 * dirties nothing. Read back by profile (for attribution and the admin API) and by placement.
 */
export interface ExposureLog {
  /**
   * Appends exposures in one durable transaction. An exposure whose (workspace, messageId,
   * placement) is already logged is not appended again, so a decision recorded twice is stored
   * once. Returns how many were new.
   */
  appendExposures(rows: ExposureRow[]): Promise<number>;
  /**
   * A profile's exposures, newest first: those recorded under its id or an id merged into it, and
   * those recorded before it was known under a user or anonymous id its identifiers now hold.
   */
  exposuresByProfile(query: ProfileExposuresQuery): Promise<ExposurePage>;
  /** A placement's exposures across a workspace, newest first. */
  exposuresByPlacement(query: PlacementExposuresQuery): Promise<ExposurePage>;
}

/** A page of one profile's exposures: newest first, before a cursor (`nextBefore`). */
export interface ProfileExposuresQuery {
  workspaceId: string;
  profileId: string;
  before?: number;
  limit: number;
}

/** A page of one placement's exposures across a workspace: newest first, before a cursor. */
export interface PlacementExposuresQuery {
  workspaceId: string;
  placement: string;
  before?: number;
  limit: number;
}

/** One placement's variant shown by one decision. */
export interface ExposureRow {
  workspaceId: string;
  /** The profile decided for; null for a visitor Tailor did not know yet. */
  profileId: string | null;
  /** The ids the decision was recorded under, as the request proved them (or the profile's own). */
  userId: string | null;
  anonymousId: string | null;
  placement: string;
  variant: string;
  /** The decision's messageId: with the placement, what makes an exposure recorded twice one. */
  messageId: string;
  /** When it was shown (epoch ms). */
  at: number;
}

/** An exposure as read back, with its position in the log (the paging cursor). */
export interface StoredExposure extends ExposureRow {
  seq: number;
}

/** A page of exposures, newest first. */
export interface ExposurePage {
  exposures: StoredExposure[];
  /** Pass as `before` to get the next page; absent on the last page. */
  nextBefore?: number;
}
