import type { SegmentDef } from '../audience/audience-def.ts';
import type { ProfileState } from '../profile/profile.ts';
import { profileContext } from '../profile/profile-context.ts';
import { type CompiledWorkspace, compileWorkspace } from './compiled-workspace.ts';

/** The key a draft segment is compiled under for a preview; not a valid segment key, so it never clashes. */
const PREVIEW_SEGMENT = '$preview';
/** Profile ids a preview returns as examples. */
const PREVIEW_SAMPLE = 10;

/** What a draft segment would hold: how many profiles match, of how many, and some of their ids. */
export interface SegmentPreview {
  matched: number;
  total: number;
  sample: string[];
}

/** A draft segment compiled into its workspace, counting the profiles it is shown. */
export interface DraftSegment {
  /** The workspace with the draft added (what a replay must run through). */
  compiled: CompiledWorkspace;
  /**
   * Whether the draft needs counts no stored profile keeps yet (`$performed` of events no
   * saved segment counts): then only a replay of the workspace's events can answer.
   */
  needsReplay: boolean;
  count(profile: ProfileState): void;
  result(): SegmentPreview;
}

/** Compiles `condition` as a segment of `workspace` (throws INVALID_CONDITION as a saved one would). */
export function draftSegment(workspace: CompiledWorkspace, condition: unknown, now: number): DraftSegment {
  const draft: SegmentDef = { key: PREVIEW_SEGMENT, when: condition };
  const compiled = compileWorkspace(
    { ...workspace.definition, segments: [...(workspace.definition.segments ?? []), draft] },
    workspace.version,
  );
  const segment = compiled.audience.segments.find((candidate) => candidate.key === PREVIEW_SEGMENT);
  if (segment === undefined) throw new Error('the draft segment was not compiled');
  const result: SegmentPreview = { matched: 0, total: 0, sample: [] };
  return {
    compiled,
    needsReplay: compiled.audience.behaviour.traits.length > workspace.audience.behaviour.traits.length,
    count(profile) {
      result.total += 1;
      const context = profileContext({ profile, compiled: compiled.computed, now, scores: compiled.scores });
      if (!segment.when(context, now, compiled.audience.behaviour.source(profile.computed))) return;
      result.matched += 1;
      if (result.sample.length < PREVIEW_SAMPLE) result.sample.push(profile.id);
    },
    result: () => result,
  };
}
