import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorNote, QueryState } from '../parts/query-state.tsx';
import { Time } from '../parts/values.tsx';
import { useApi } from '../session.tsx';
import type { DryRun } from './workspace-page.tsx';

interface VersionSummary {
  version: number;
  at: string | null;
  origin: 'file' | 'api' | 'segments' | 'rollback' | 'created' | 'unknown';
  key_id: string | null;
  restored_from: number | null;
  sha256: string | null;
  current: boolean;
}

interface Version extends VersionSummary {
  text: string | null;
  definition: unknown;
}

/** One line of a diff, as the page shows it. */
interface DiffLine {
  kind: 'added' | 'removed' | 'same' | 'skipped';
  text: string;
}

/** Unchanged lines kept around each change; longer runs of unchanged lines are folded. */
const CONTEXT = 3;

/** The lines of a diff with unchanged runs longer than the context folded into one line saying how many. */
function folded(lines: DiffLine[]): DiffLine[] {
  const near = lines.map(() => false);
  lines.forEach((line, i) => {
    if (line.kind === 'same') return;
    for (let j = Math.max(0, i - CONTEXT); j <= Math.min(lines.length - 1, i + CONTEXT); j += 1)
      near[j] = true;
  });
  const out: DiffLine[] = [];
  let skipped = 0;
  lines.forEach((line, i) => {
    if (line.kind === 'same' && !near[i]) {
      skipped += 1;
      return;
    }
    if (skipped > 0) out.push({ kind: 'skipped', text: `… ${skipped} unchanged line(s)` });
    skipped = 0;
    out.push(line);
  });
  if (skipped > 0) out.push({ kind: 'skipped', text: `… ${skipped} unchanged line(s)` });
  return out;
}

const ORIGINS: Record<VersionSummary['origin'], string> = {
  file: 'workspace file at start',
  api: 'applied through the API',
  segments: 'segments API',
  rollback: 'rollback',
  created: 'workspace created',
  unknown: 'before history was kept',
};

/**
 * The workspace's versions, newest first; any of them compared with the version in force, line
 * by line (the files as applied, or the definitions when a version came without a file), and
 * rolled back to after a dry run. Secrets come redacted from the API: the rollback applies the
 * file the server kept, never the copy shown here.
 */
export function WorkspaceHistory() {
  const api = useApi();
  const [picked, setPicked] = useState<number | null>(null);
  const list = useQuery({
    queryKey: ['workspace-versions'],
    queryFn: () => api<{ versions: VersionSummary[] }>('/v1/workspace/versions?limit=50'),
  });
  return (
    <section aria-labelledby="history">
      <h2 id="history">Version history</h2>
      <QueryState query={list}>
        {({ versions }) => (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">When</th>
                  <th scope="col">From</th>
                  <th scope="col">Key</th>
                  <th scope="col">SHA-256</th>
                  <th scope="col">
                    <span className="sr-only">Compare</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {versions.map((v) => (
                  <tr key={v.version} data-testid={`version-${v.version}`}>
                    <td>
                      {v.version}
                      {v.current && ' (in force)'}
                    </td>
                    <td>
                      <Time at={v.at} />
                    </td>
                    <td>
                      {ORIGINS[v.origin]}
                      {v.restored_from !== null && ` of version ${v.restored_from}`}
                    </td>
                    <td>{v.key_id === null ? '—' : <code>{v.key_id}</code>}</td>
                    <td>{v.sha256 === null ? '—' : <code title={v.sha256}>{v.sha256.slice(0, 12)}</code>}</td>
                    <td>
                      {!v.current && (
                        <button type="button" onClick={() => setPicked(v.version)}>
                          Compare version {v.version} with the one in force
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {picked !== null && (
              <Comparison
                key={picked}
                version={picked}
                current={versions.find((v) => v.current)?.version ?? null}
              />
            )}
          </>
        )}
      </QueryState>
    </section>
  );
}

/** A version beside the one in force: the diff, then a checked rollback to it. */
function Comparison(props: { version: number; current: number | null }) {
  const api = useApi();
  const queries = useQueryClient();
  const { version, current } = props;
  const diff = useQuery({
    queryKey: ['workspace-diff', version, current],
    queryFn: async () => {
      const [older, inForce, { diffLines }] = await Promise.all([
        api<Version>(`/v1/workspace/versions/${version}`),
        current === null ? Promise.resolve(null) : api<Version>(`/v1/workspace/versions/${current}`),
        import('diff'),
      ]);
      const files = older.text !== null && inForce?.text != null;
      const shown = (v: Version | null) =>
        v === null ? '' : files ? (v.text ?? '') : `${JSON.stringify(v.definition, null, 2)}\n`;
      const lines: DiffLine[] = diffLines(shown(older), shown(inForce)).flatMap((part) =>
        part.value
          .replace(/\n$/, '')
          .split('\n')
          .map(
            (text): DiffLine => ({ kind: part.added ? 'added' : part.removed ? 'removed' : 'same', text }),
          ),
      );
      return { lines: folded(lines), files };
    },
  });
  const check = useMutation({
    mutationFn: () => api<DryRun>(`/v1/workspace/versions/${version}/dry-run`, { method: 'POST' }),
  });
  const apply = useMutation({
    mutationFn: () =>
      api<{ version: number; rebuilt_in_ms: number }>(`/v1/workspace/versions/${version}/apply`, {
        method: 'POST',
      }),
    onSuccess: () => queries.invalidateQueries(),
  });
  return (
    <section aria-labelledby="comparison">
      <h3 id="comparison">
        Version {version} against version {current ?? '—'} (in force)
      </h3>
      <QueryState query={diff}>
        {({ lines, files }) => {
          const added = lines.filter((line) => line.kind === 'added').length;
          const removed = lines.filter((line) => line.kind === 'removed').length;
          return (
            <figure className="json-figure">
              <figcaption data-testid="diff-summary">
                {files ? 'The files as applied' : 'The definitions'}: {removed} line(s) only in version{' '}
                {version}, {added} line(s) only in version {current ?? '—'}. Secrets written in a file show as
                [redacted].
              </figcaption>
              {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable block must be reachable by keyboard */}
              <pre className="diff" tabIndex={0} data-testid="diff">
                {lines.map((line, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: lines of a diff, in a fixed order
                  <DiffRow key={i} line={line} />
                ))}
              </pre>
            </figure>
          );
        }}
      </QueryState>
      <button type="button" disabled={check.isPending} onClick={() => check.mutate()}>
        Check rolling back to version {version}
      </button>
      {check.isError && <ErrorNote error={check.error} />}
      {check.data !== undefined && (
        <div aria-live="polite">
          <p>
            Rolling back over version {check.data.version} would change{' '}
            {check.data.changes.length === 0 ? 'nothing' : `${check.data.changes.length} thing(s)`}:
          </p>
          <ul aria-label="Rollback changes">
            {check.data.changes.map((change) => (
              <li key={change.path}>
                <span className={`badge ${change.change}`}>{change.change}</span> <code>{change.path}</code>
              </li>
            ))}
          </ul>
          <button type="button" disabled={apply.isPending} onClick={() => apply.mutate()}>
            Roll back to version {version} and rebuild profiles
          </button>
        </div>
      )}
      {apply.isError && <ErrorNote error={apply.error} />}
      {apply.isSuccess && (
        <p role="status">
          Rolled back: version {apply.data.version}, profiles rebuilt in {apply.data.rebuilt_in_ms} ms.
        </p>
      )}
    </section>
  );
}

/** One line of a diff: added (`ins`), removed (`del`), unchanged, or a fold of unchanged lines. */
function DiffRow(props: { line: DiffLine }) {
  const { kind, text } = props.line;
  if (kind === 'added') return <ins>{`+ ${text}`}</ins>;
  if (kind === 'removed') return <del>{`- ${text}`}</del>;
  if (kind === 'skipped') return <span className="skipped">{text}</span>;
  return <span className="same">{`  ${text}`}</span>;
}
