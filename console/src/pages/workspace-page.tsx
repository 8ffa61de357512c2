import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../api.ts';
import { ErrorNote, QueryState } from '../parts/query-state.tsx';
import { Json } from '../parts/values.tsx';
import { useApi } from '../session.tsx';
import { WorkspaceHistory } from './workspace-history.tsx';

interface WorkspaceAnswer {
  id: string;
  version: number;
  definition: unknown;
  rebuild: { done: number; total: number } | null;
}

/** What a dry run answers: the version it was judged against and the paths applying would change. */
export interface DryRun {
  valid: true;
  version: number;
  changes: { path: string; change: 'added' | 'removed' | 'changed' }[];
}

/**
 * The definition in force (channel secrets redacted) and its version; a new workspace file
 * checked first — its problems at line and column, or what applying it would change — then applied.
 */
export function WorkspacePage() {
  const api = useApi();
  const queries = useQueryClient();
  const query = useQuery({ queryKey: ['workspace'], queryFn: () => api<WorkspaceAnswer>('/v1/workspace') });
  const [text, setText] = useState('');
  const [checked, setChecked] = useState<string | null>(null);
  const dryRun = useMutation({
    mutationFn: (yaml: string) => api<DryRun>('/v1/workspace/dry-run', { method: 'POST', body: { yaml } }),
    onSuccess: (_data, yaml) => setChecked(yaml),
    onError: () => setChecked(null),
  });
  const apply = useMutation({
    mutationFn: (yaml: string) =>
      api<{ version: number; rebuilt_in_ms: number }>('/v1/workspace', { method: 'PUT', body: { yaml } }),
    onSuccess: () => queries.invalidateQueries(),
  });
  const problems = dryRun.error instanceof ApiError ? dryRun.error : null;

  return (
    <>
      <QueryState query={query}>
        {(workspace) => (
          <>
            <p>
              Workspace <strong>{workspace.id}</strong>, version{' '}
              <strong data-testid="workspace-version">{workspace.version}</strong>
              {workspace.rebuild !== null &&
                ` — rebuilding: ${workspace.rebuild.done} of ${workspace.rebuild.total} events`}
              .
            </p>
            <details>
              <summary>Definition in force</summary>
              <Json value={workspace.definition} label="Workspace definition" />
            </details>
          </>
        )}
      </QueryState>
      <section aria-labelledby="new-file">
        <h2 id="new-file">Check and apply a workspace file</h2>
        <form
          className="stack"
          onSubmit={(event) => {
            event.preventDefault();
            dryRun.mutate(text);
          }}
        >
          <label htmlFor="workspace-yaml">Workspace file (tailor.yaml)</label>
          <textarea
            id="workspace-yaml"
            rows={14}
            value={text}
            onChange={(event) => {
              setText(event.target.value);
              setChecked(null);
            }}
            spellCheck={false}
            required
          />
          <button type="submit" disabled={dryRun.isPending}>
            Check (dry run)
          </button>
        </form>
        {problems !== null && (
          <div role="alert" className="error">
            <strong>{problems.code}</strong>: {problems.message}
            <ul aria-label="Problems">
              {problems.details.map((detail) => (
                <li key={`${detail.path}:${detail.message}`}>
                  <code>{detail.path.replace(/^request body:/, 'line:column ')}</code> {detail.message}
                </li>
              ))}
            </ul>
          </div>
        )}
        {dryRun.isError && problems === null && <ErrorNote error={dryRun.error} />}
        {dryRun.data !== undefined && checked === text && (
          <div aria-live="polite">
            <p>
              Valid. Applying it over version {dryRun.data.version} would change{' '}
              {dryRun.data.changes.length === 0 ? 'nothing' : `${dryRun.data.changes.length} thing(s)`}:
            </p>
            <ul aria-label="Changes">
              {dryRun.data.changes.map((change) => (
                <li key={change.path}>
                  <span className={`badge ${change.change}`}>{change.change}</span> <code>{change.path}</code>
                </li>
              ))}
            </ul>
            <button type="button" disabled={apply.isPending} onClick={() => apply.mutate(text)}>
              Apply and rebuild profiles
            </button>
          </div>
        )}
        {apply.isError && <ErrorNote error={apply.error} />}
        {apply.isSuccess && (
          <p role="status">
            Applied: version {apply.data.version}, profiles rebuilt in {apply.data.rebuilt_in_ms} ms.
          </p>
        )}
      </section>
      <WorkspaceHistory />
    </>
  );
}
