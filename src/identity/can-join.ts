import { ruleFor } from './extract-identifiers.ts';
import type { IdentityRules } from './identity-rules.ts';

/**
 * Whether identity resolution would let two sets of identifiers be one profile: every type's
 * union stays within its `limit` (never counted below what either side already holds, as in
 * `resolveIdentity`). Two profiles with different `user_id`s under the default limit of one
 * cannot join: that is what tells another person from the same person seen twice.
 */
export function canJoin(
  rules: IdentityRules,
  person: Record<string, string[]>,
  other: Record<string, string[]>,
): boolean {
  for (const [type, values] of Object.entries(other)) {
    const mine = person[type] ?? [];
    const union = new Set([...mine, ...values]);
    const { limit } = ruleFor(rules, type);
    if (limit !== undefined && union.size > Math.max(limit, mine.length, values.length)) return false;
  }
  return true;
}
