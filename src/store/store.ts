import type { ErasureStore } from './ports/erasure-store.ts';
import type { EventLog } from './ports/event-log.ts';
import type { ExposureLog } from './ports/exposure-log.ts';
import type { KeyStore } from './ports/key-store.ts';
import type { Outbox } from './ports/outbox.ts';
import type { ViewStore } from './ports/view-store.ts';
import type { WorkspaceStore } from './ports/workspace-store.ts';

/**
 * The storage port: every narrow port of `ports/` over one database, and its lifecycle. Code that
 * needs one concern takes that port (the dispatcher an `Outbox`, the key ring a `KeyStore`); what
 * opens and wires the store takes all of it. The SQLite adapter is the embedded default; the
 * PostgreSQL adapter passes the same contract suites (`test/store/contract/`).
 */
export interface Store
  extends EventLog,
    ExposureLog,
    ViewStore,
    Outbox,
    WorkspaceStore,
    KeyStore,
    ErasureStore {
  /** Creates tables if missing. Safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}
