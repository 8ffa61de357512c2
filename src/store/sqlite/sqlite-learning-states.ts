import type { Database } from 'better-sqlite3';
import type { LearningStateRow } from '../ports/view-store.ts';

/**
 * Each workspace's learning state as of a log position (`LearningStateRow`): view data, written
 * with a view commit, cleared with a rebuilt workspace's view.
 */
export const SQLITE_LEARNING_STATES_TABLE = `
CREATE TABLE IF NOT EXISTS learning_states (
  workspace_id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  state TEXT NOT NULL
);
`;

/** The SQLite learning states' statements over one connection (`SqliteStore` runs them). */
export class SqliteLearningStates {
  private readonly upsert;
  private readonly all;

  constructor(db: Database) {
    this.upsert = db.prepare<[LearningStateRow]>(
      `INSERT INTO learning_states (workspace_id, seq, state) VALUES (@workspaceId, @seq, @state)
       ON CONFLICT (workspace_id) DO UPDATE SET seq = excluded.seq, state = excluded.state`,
    );
    this.all = db.prepare<[], { workspace_id: string; seq: number; state: string }>(
      'SELECT workspace_id, seq, state FROM learning_states ORDER BY workspace_id',
    );
  }

  /** Writes a commit's states; run inside the commit's transaction. */
  write(rows: readonly LearningStateRow[]): void {
    for (const row of rows) this.upsert.run(row);
  }

  read(): LearningStateRow[] {
    return this.all.all().map((row) => ({ workspaceId: row.workspace_id, seq: row.seq, state: row.state }));
  }
}
