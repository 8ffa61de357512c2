/** Erasure of people's data, and the audit log that records it without the data itself. */
export interface ErasureStore {
  /**
   * Erases profiles: their rows, identifier entries, merge records, linked and derived events,
   * memberships and sends, and the same of the profiles merged into them; records `audit` in
   * the same transaction. Resolves only once the erased data is gone from the store's files as
   * far as the engine can reach (SQLite: zeroed pages and a truncated WAL; PostgreSQL: the
   * touched tables vacuumed). Returns the count of events removed.
   */
  eraseProfiles(workspaceId: string, profileIds: string[], audit: AuditEntry): Promise<{ events: number }>;
  auditLog(workspaceId: string, limit: number): Promise<AuditEntry[]>;
}

/** An entry of the audit log: what was done, never the personal data it was done to. */
export interface AuditEntry {
  workspaceId: string;
  action: string;
  /** Non-personal facts: profile id, counts. */
  detail: Record<string, unknown>;
  at: number;
}
