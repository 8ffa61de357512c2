import { useQuery } from '@tanstack/react-query';
import { QueryState } from '../parts/query-state.tsx';
import { Json } from '../parts/values.tsx';
import { useApi } from '../session.tsx';

interface WorkspaceAnswer {
  id: string;
  version: number;
  definition: unknown;
  rebuild: { done: number; total: number } | null;
}

/** The workspace definition in force (channel secrets redacted) and its version. */
export function WorkspacePage() {
  const api = useApi();
  const query = useQuery({ queryKey: ['workspace'], queryFn: () => api<WorkspaceAnswer>('/v1/workspace') });
  return (
    <QueryState query={query}>
      {(workspace) => (
        <>
          <p>
            Workspace <strong>{workspace.id}</strong>, version <strong>{workspace.version}</strong>
            {workspace.rebuild !== null &&
              ` — rebuilding: ${workspace.rebuild.done} of ${workspace.rebuild.total} events`}
            .
          </p>
          <h2>Definition in force</h2>
          <Json value={workspace.definition} label="Workspace definition" />
        </>
      )}
    </QueryState>
  );
}
