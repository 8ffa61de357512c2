import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ApiError } from '../api.ts';

/** Renders a query's data, or says it is loading, or shows its error (with the API's code) as an alert. */
export function QueryState<T>(props: { query: UseQueryResult<T>; children: (data: T) => ReactNode }) {
  const { query } = props;
  if (query.isPending) return <p aria-live="polite">Loading…</p>;
  if (query.isError) return <ErrorNote error={query.error} />;
  return <>{props.children(query.data)}</>;
}

/** An error from the API (code and message, field details) or any other, announced to screen readers. */
export function ErrorNote(props: { error: unknown }) {
  const { error } = props;
  if (error instanceof ApiError)
    return (
      <div role="alert" className="error">
        <strong>{error.code}</strong>: {error.message}
        {error.details.length > 0 && (
          <ul>
            {error.details.map((detail) => (
              <li key={`${detail.path}:${detail.message}`}>
                <code>{detail.path}</code> {detail.message}
              </li>
            ))}
          </ul>
        )}
      </div>
    );
  return (
    <div role="alert" className="error">
      {error instanceof Error ? error.message : String(error)}
    </div>
  );
}
