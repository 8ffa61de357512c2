import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorNote, QueryState } from '../parts/query-state.tsx';
import { Time } from '../parts/values.tsx';
import { href } from '../route.ts';
import { useApi } from '../session.tsx';
import type { Send } from '../types.ts';

const STATUSES = ['', 'pending', 'sending', 'sent', 'failed', 'dead'] as const;

/** The outbox, newest first, filtered by status; dead and failed sends can be re-driven. */
export function SendsPage() {
  const api = useApi();
  const queries = useQueryClient();
  const [status, setStatus] = useState(
    () => new URLSearchParams(window.location.hash.split('?')[1]).get('status') ?? '',
  );
  const list = useInfiniteQuery({
    queryKey: ['sends', status],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api<{ sends: Send[]; next_before?: string }>(
        `/v1/sends?limit=50${status === '' ? '' : `&status=${status}`}${
          pageParam === undefined ? '' : `&before=${encodeURIComponent(pageParam)}`
        }`,
      ),
    getNextPageParam: (page) => page.next_before,
  });
  const redrive = useMutation({
    mutationFn: (id: string) => api<Send>(`/v1/sends/${encodeURIComponent(id)}/redrive`, { method: 'POST' }),
    onSettled: () => queries.invalidateQueries({ queryKey: ['sends'] }),
  });
  return (
    <>
      <form className="inline" onSubmit={(event) => event.preventDefault()}>
        <label htmlFor="send-status">Status</label>
        <select id="send-status" value={status} onChange={(event) => setStatus(event.target.value)}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s === '' ? 'any' : s === 'dead' ? 'dead (dead letters)' : s}
            </option>
          ))}
        </select>
      </form>
      {redrive.isError && <ErrorNote error={redrive.error} />}
      {redrive.isSuccess && (
        <p role="status">
          Re-driven: <code>{redrive.data.id}</code> is {redrive.data.status} again.
        </p>
      )}
      <QueryState query={list}>
        {(data) => {
          const sends = data.pages.flatMap((page) => page.sends);
          if (sends.length === 0)
            return <p className="muted">No send{status === '' ? '' : ` is ${status}`}.</p>;
          return (
            <>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Created</th>
                    <th scope="col">Status</th>
                    <th scope="col">Channel</th>
                    <th scope="col">To</th>
                    <th scope="col">Action</th>
                    <th scope="col">Trigger</th>
                    <th scope="col" className="number">
                      Attempts
                    </th>
                    <th scope="col">Last error</th>
                    <th scope="col">
                      <span className="sr-only">Redrive</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {sends.map((send) => (
                    <tr key={send.id}>
                      <td>
                        <Time at={send.created_at} />
                      </td>
                      <td>
                        <span className={`badge ${send.status}`}>{send.status}</span>
                      </td>
                      <td>{send.channel}</td>
                      <td>
                        <a href={href('profiles', { ref: send.profile_id })}>{send.to}</a>
                      </td>
                      <td>{send.action ?? '—'}</td>
                      <td>{send.trigger ?? '—'}</td>
                      <td className="number">{send.attempts}</td>
                      <td className="props">{send.last_error ?? '—'}</td>
                      <td>
                        {(send.status === 'dead' || send.status === 'failed') && (
                          <button
                            type="button"
                            disabled={redrive.isPending}
                            onClick={() => redrive.mutate(send.id)}
                            aria-label={`Redrive the ${send.channel} send to ${send.to}`}
                          >
                            Redrive
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {list.hasNextPage && (
                <button type="button" onClick={() => list.fetchNextPage()}>
                  Older sends
                </button>
              )}
            </>
          );
        }}
      </QueryState>
    </>
  );
}
