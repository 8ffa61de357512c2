import { useEffect, useState } from 'react';
import { type LiveEntry, readLiveStream } from '../live-stream.ts';
import { ErrorNote } from '../parts/query-state.tsx';
import { Time } from '../parts/values.tsx';
import { useSession } from '../session.tsx';

/** How many entries the page keeps: the newest, like a debugger's tail. */
const KEEP = 200;

/** Events as the tracking API takes them in, and the ones it refuses with why (server-sent events). */
export function LivePage() {
  const { key } = useSession();
  const [entries, setEntries] = useState<LiveEntry[]>([]);
  const [state, setState] = useState<'connecting' | 'live' | 'paused' | 'ended'>('connecting');
  const [error, setError] = useState<unknown>(null);
  const paused = state === 'paused';

  useEffect(() => {
    if (paused || key === null) return;
    const abort = new AbortController();
    setState('connecting');
    readLiveStream({
      key,
      signal: abort.signal,
      onOpen: () => setState('live'),
      onEntry: (entry) => setEntries((current) => [entry, ...current].slice(0, KEEP)),
    })
      .then(() => setState('ended'))
      .catch((caught: unknown) => {
        if (!abort.signal.aborted) setError(caught);
      });
    return () => abort.abort();
  }, [key, paused]);

  return (
    <>
      <p role="status">
        Stream: <strong data-testid="live-state">{state}</strong> — shows what arrives from now on, newest
        first.
      </p>
      <button type="button" onClick={() => setState(paused ? 'connecting' : 'paused')}>
        {paused ? 'Resume' : 'Pause'}
      </button>{' '}
      <button type="button" onClick={() => setEntries([])}>
        Clear
      </button>
      {error !== null && <ErrorNote error={error} />}
      <table>
        <caption className="sr-only">Live events</caption>
        <thead>
          <tr>
            <th scope="col">Received</th>
            <th scope="col">Outcome</th>
            <th scope="col">Event</th>
            <th scope="col">Who / why</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: refused entries have no id; the list only grows at the top
            <tr key={`${entries.length - i}`} className={entry.kind}>
              <td>
                <Time at={entry.at} />
              </td>
              <td>
                <span className={`badge ${entry.kind}`}>{entry.kind}</span>
              </td>
              {entry.kind === 'accepted' ? (
                <>
                  <td>{entry.event ?? entry.type}</td>
                  <td>{entry.user_id ?? entry.anonymous_id}</td>
                </>
              ) : entry.kind === 'refused' ? (
                <>
                  <td>
                    <code>{entry.path}</code>
                  </td>
                  <td>
                    <strong>{entry.code}</strong>: {entry.message}
                  </td>
                </>
              ) : (
                <td colSpan={2}>{entry.count} entries skipped while this page was behind</td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
