import { isJsonObject } from '../ingest/merge-objects.ts';
import { didYouMean } from './did-you-mean.ts';
import type { WorkspaceIssue } from './workspace-issue.ts';

/**
 * The profile fields `channels.hubspot.contact_properties` sends must exist: a `computed.<key>`
 * a computed trait of the file, a `scores.<key>` a score of it, so a typo does not leave a HubSpot
 * property silently empty. Reads the document defensively: types are the schema's business.
 */
export function collectHubSpotIssues(document: Record<string, unknown>): WorkspaceIssue[] {
  const channels = isJsonObject(document.channels) ? document.channels : {};
  const hubspot = channels.hubspot;
  const mapping = isJsonObject(hubspot) ? hubspot.contact_properties : undefined;
  if (!isJsonObject(mapping)) return [];
  const keysOf = (section: unknown) =>
    Array.isArray(section)
      ? section.flatMap((entry: unknown) =>
          isJsonObject(entry) && typeof entry.key === 'string' ? [entry.key] : [],
        )
      : [];
  const known = { computed: keysOf(document.computed_traits), scores: keysOf(document.scores) };
  const issues: WorkspaceIssue[] = [];
  for (const field of Object.keys(mapping)) {
    const [section, key] = field.split('.');
    if ((section !== 'computed' && section !== 'scores') || key === undefined) continue;
    if (known[section].includes(key)) continue;
    const hint = didYouMean(key, known[section]);
    issues.push({
      path: ['channels', 'hubspot', 'contact_properties', field],
      at: 'key',
      message: `no ${section === 'computed' ? 'computed trait' : 'score'} \`${key}\` in this workspace${hint === undefined ? '' : `: did you mean \`${section}.${hint}\`?`}`,
    });
  }
  return issues;
}
