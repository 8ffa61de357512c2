import { parseDocument, visit } from 'yaml';
import { REDACTED, redactChannels, redactSecret } from '../activate/redact-channels.ts';
import type { WorkspaceDefinition } from './workspace.ts';

/**
 * The definition as the admin API shows it: every secret written literally (channel secrets,
 * the identity verification secret) is `[redacted]`; `${TAILOR_SECRET_…}` references stay, as
 * they name where a secret lives, not its value.
 */
export function redactDefinition(definition: WorkspaceDefinition): WorkspaceDefinition {
  let shown = definition;
  if (definition.channels !== undefined) shown = { ...shown, channels: redactChannels(definition.channels) };
  const verification = definition.identityVerification;
  if (verification !== undefined)
    shown = { ...shown, identityVerification: { secret: redactSecret(verification.secret) } };
  return shown;
}

/** The secrets written literally in a definition: the values `redactDefinition` hides. */
export function literalSecrets(definition: WorkspaceDefinition): string[] {
  const found = new Set<string>();
  collectHidden(definition, redactDefinition(definition), found);
  return [...found];
}

/** Walks a value beside its redacted copy and collects what became `[redacted]`. */
function collectHidden(original: unknown, shown: unknown, found: Set<string>): void {
  if (original === shown) return;
  if (shown === REDACTED) {
    if (typeof original === 'string') found.add(original);
    return;
  }
  if (typeof original !== 'object' || original === null || typeof shown !== 'object' || shown === null)
    return;
  const shownEntries = new Map<string, unknown>(Object.entries(shown));
  for (const [key, value] of Object.entries(original)) collectHidden(value, shownEntries.get(key), found);
}

/**
 * A workspace file (YAML, or JSON) as an API answer may show it: each value that is one of
 * `secrets` (`literalSecrets` of the definition it gave) becomes `"[redacted]"`, everything else
 * — comments, layout, order — stays as written, so two versions can be compared line by line.
 * Any other occurrence of a secret in the text (a comment, part of a longer value) is replaced
 * too, even if that leaves the text no longer valid: the secret never leaves.
 */
export function redactWorkspaceText(text: string, secrets: readonly string[]): string {
  const hidden = new Set(secrets.filter((secret) => secret !== ''));
  if (hidden.size === 0) return text;
  const ranges: [number, number][] = [];
  visit(parseDocument(text), {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && hidden.has(node.value) && node.range)
        ranges.push([node.range[0], node.range[1]]);
    },
  });
  let shown = text;
  for (const [start, end] of ranges.sort((a, b) => b[0] - a[0]))
    shown = `${shown.slice(0, start)}"${REDACTED}"${shown.slice(end)}`;
  for (const secret of hidden) shown = shown.split(secret).join(REDACTED);
  return shown;
}
