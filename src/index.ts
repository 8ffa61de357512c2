/**
 * Tailor's public entry point: the pipeline stages as pure functions, the engine that runs
 * them, the store adapters, and the HTTP server.
 */

// The network policy parseWorkspaceYaml and readWorkspaceFile judge channel URLs under.
export {
  type NetworkPolicy,
  networkPolicy,
  STRICT_NETWORK_POLICY,
} from './activate/outbound/network-policy.ts';
export { readSettings, type Settings } from './app/settings.ts';
export { type RunningTailor, startTailor } from './app/start-tailor.ts';
// Test fakes (fakeClock, memoryBehaviourSource, the local provider servers) stay out of this entry.
export { type Clock, systemClock } from './clock.ts';
// conditions
export type { BehaviourQuery, BehaviourSource, EventFilter } from './conditions/behaviour-source.ts';
export {
  type CompiledCondition,
  type ConditionReads,
  compileCondition,
  conditionReads,
  validateCondition,
} from './conditions/compile-condition.ts';
// engine, store, server
export { Engine, type EngineOptions } from './engine/engine.ts';
export { ERRORS, type ErrorCode, type ErrorDetail, isTailorError, TailorError } from './errors.ts';
export { buildServer, type ServerOptions } from './http/server.ts';
export {
  type EventIdentifiers,
  extractIdentifiers,
  readEventIdentifiers,
} from './identity/extract-identifiers.ts';
// identity
export { type Identifier, identifierKey, parseIdentifierKey } from './identity/identifier.ts';
export { DEFAULT_IDENTITY_RULES, type IdentityRules } from './identity/identity-rules.ts';
export { normalizeIdentifier } from './identity/normalize-identifier.ts';
export { type IdentityGraph, type IdentityResolution, resolveIdentity } from './identity/resolve-identity.ts';
export { decodeBody } from './ingest/decode-body.ts';
// ingest
export type { EventType, JsonObject, LoggedEvent, TailorEvent } from './ingest/event.ts';
export { normalizeCall } from './ingest/normalize-call.ts';
export type { Logger } from './logger.ts';
export { applyEvent } from './profile/apply-event.ts';
export { compileComputedTraits } from './profile/computed/compile-computed-traits.ts';
export type { ComputedTraitDef } from './profile/computed/computed-trait.ts';
export { mergeProfiles } from './profile/merge-profiles.ts';
export { newProfile } from './profile/new-profile.ts';
// profile
export type { ProfileState } from './profile/profile.ts';
export { type ProfileView, toProfileView } from './profile/profile-view.ts';
export { openStore } from './store/open-store.ts';
export type { ErasureStore } from './store/ports/erasure-store.ts';
export type { EventLog } from './store/ports/event-log.ts';
export type { KeyStore } from './store/ports/key-store.ts';
export type { Outbox } from './store/ports/outbox.ts';
export type { ViewStore } from './store/ports/view-store.ts';
export type { WorkspaceStore } from './store/ports/workspace-store.ts';
export { SqliteStore } from './store/sqlite/sqlite-store.ts';
export type { Store } from './store/store.ts';
export { parseWorkspaceDocument, parseWorkspaceYaml } from './workspace/load-workspace.ts';
export { readWorkspaceFile } from './workspace/read-workspace-file.ts';

// workspace
export type { WorkspaceDefinition } from './workspace/workspace.ts';
