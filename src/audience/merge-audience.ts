import type { ProfileState } from '../profile/profile.ts';

/**
 * Folds the audience of a profile being merged (`from`) into `into`'s: waits and risks of
 * either are kept (the later start wins when both have one), memberships and the stage stay
 * `into`'s until the merged profile is evaluated, which follows every merge. `from` is unchanged.
 */
export function mergeAudience(into: ProfileState, from: ProfileState): void {
  const source = from.audience;
  if (source === undefined) return;
  if (into.audience === undefined) {
    into.audience = structuredClone(source);
    return;
  }
  const target = into.audience;
  for (const [key, pending] of Object.entries(source.pending)) {
    const current = target.pending[key];
    if (current === undefined || pending.since > current.since) target.pending[key] = { ...pending };
  }
  for (const [key, risk] of Object.entries(source.risks)) {
    const current = target.risks[key];
    if (current === undefined || risk.since > current.since) target.risks[key] = { ...risk };
  }
  target.at = Math.max(target.at, source.at);
  if (source.due !== undefined && (target.due === undefined || source.due < target.due))
    target.due = source.due;
}
