import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ErrorNote, QueryState } from '../parts/query-state.tsx';
import { type HistoryPoint, SizeChart } from '../parts/size-chart.tsx';
import { Json, Time } from '../parts/values.tsx';
import { href, type Route } from '../route.ts';
import { useApi } from '../session.tsx';
import type { Segment } from '../types.ts';

/** The segments with their sizes; one segment's condition and members; a draft condition's size before saving. */
export function SegmentsPage(props: { route: Route }) {
  const key = props.route.rest[0];
  const api = useApi();
  const list = useQuery({
    queryKey: ['segments'],
    queryFn: () => api<{ segments: Segment[] }>('/v1/segments'),
  });
  if (key !== undefined) return <SegmentDetail segmentKey={key} />;
  return (
    <>
      <QueryState query={list}>
        {({ segments }) => (
          <table>
            <caption>Segments of the workspace, in definition order</caption>
            <thead>
              <tr>
                <th scope="col">Segment</th>
                <th scope="col">Key</th>
                <th scope="col" className="number">
                  Size
                </th>
              </tr>
            </thead>
            <tbody>
              {segments.map((segment) => (
                <tr key={segment.key}>
                  <td>
                    <a href={href('segments', segment.key)}>{segment.name ?? segment.key}</a>
                  </td>
                  <td>
                    <code>{segment.key}</code>
                  </td>
                  <td className="number">{segment.size.toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
      <DraftPreview initial={{ 'scores.intent': { $gte: 60 } }} />
    </>
  );
}

function SegmentDetail(props: { segmentKey: string }) {
  const api = useApi();
  const path = `/v1/segments/${encodeURIComponent(props.segmentKey)}`;
  const segment = useQuery({
    queryKey: ['segment', props.segmentKey],
    queryFn: () => api<Segment & { backfill: { done: number; total: number } | null }>(path),
  });
  const members = useInfiniteQuery({
    queryKey: ['members', props.segmentKey],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api<{ members: { profile_id: string; entered_at: string }[]; next_after: string | null }>(
        `${path}/members?limit=50${pageParam === undefined ? '' : `&after=${encodeURIComponent(pageParam)}`}`,
      ),
    getNextPageParam: (page) => page.next_after ?? undefined,
  });
  return (
    <>
      <p>
        <a href={href('segments')}>All segments</a>
      </p>
      <QueryState query={segment}>
        {(s) => (
          <section aria-labelledby="segment-name">
            <h2 id="segment-name">{s.name ?? s.key}</h2>
            <p>
              Size: <strong data-testid="segment-size">{s.size.toLocaleString()}</strong>
              {s.backfill !== null && ` (back-filling: ${s.backfill.done} of ${s.backfill.total})`}
            </p>
            {s.description !== null && <p>{s.description}</p>}
            <h3>Condition</h3>
            <Json value={s.when} label="Condition" />
            <SegmentHistory segmentKey={props.segmentKey} />
            <DraftPreview initial={s.when} />
          </section>
        )}
      </QueryState>
      <section aria-labelledby="members">
        <h3 id="members">Members</h3>
        <QueryState query={members}>
          {(data) => (
            <>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Profile</th>
                    <th scope="col">Entered</th>
                  </tr>
                </thead>
                <tbody>
                  {data.pages
                    .flatMap((page) => page.members)
                    .map((member) => (
                      <tr key={member.profile_id}>
                        <td>
                          <a href={href('profiles', { ref: member.profile_id })}>{member.profile_id}</a>
                        </td>
                        <td>
                          <Time at={member.entered_at} />
                        </td>
                      </tr>
                    ))}
                </tbody>
              </table>
              {members.hasNextPage && (
                <button type="button" onClick={() => members.fetchNextPage()}>
                  More members
                </button>
              )}
            </>
          )}
        </QueryState>
      </section>
    </>
  );
}

interface History {
  size: number;
  bucket: 'hour' | 'day';
  points: HistoryPoint[];
  changes: { profile_id: string; user_id: string | null; change: 'entered' | 'exited'; at: string }[];
}

/** The segment's size over the last 48 hours or 30 days, and who entered and left it lately. */
function SegmentHistory(props: { segmentKey: string }) {
  const api = useApi();
  const [bucket, setBucket] = useState<'hour' | 'day'>('hour');
  const history = useQuery({
    queryKey: ['segment-history', props.segmentKey, bucket],
    queryFn: () =>
      api<History>(
        `/v1/segments/${encodeURIComponent(props.segmentKey)}/history?bucket=${bucket}&changes=20`,
      ),
  });
  const period = bucket === 'hour' ? 'last 48 hours' : 'last 30 days';
  return (
    <section aria-labelledby="history">
      <h3 id="history">Size over time</h3>
      <label htmlFor="history-bucket">Period</label>{' '}
      <select
        id="history-bucket"
        value={bucket}
        onChange={(event) => setBucket(event.target.value === 'day' ? 'day' : 'hour')}
      >
        <option value="hour">Last 48 hours, by hour</option>
        <option value="day">Last 30 days, by day</option>
      </select>
      <QueryState query={history}>
        {(data) => (
          <>
            <SizeChart points={data.points} label={`Size over the ${period}`} />
            <p className="muted">
              Entries in green above the line, exits in red below it (a member merged into another profile, or
              erased, counts as an exit).
            </p>
            <details>
              <summary>The figures, {bucket === 'hour' ? 'by hour' : 'by day'}</summary>
              <table data-testid="history-table">
                <thead>
                  <tr>
                    <th scope="col">From</th>
                    <th scope="col" className="number">
                      Entries
                    </th>
                    <th scope="col" className="number">
                      Exits
                    </th>
                    <th scope="col" className="number">
                      Size at the end
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.points.map((point) => (
                    <tr key={point.at}>
                      <td>
                        <Time at={point.at} />
                      </td>
                      <td className="number">{point.entries}</td>
                      <td className="number">{point.exits}</td>
                      <td className="number">{point.size}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
            <h3 id="changes">Latest entries and exits</h3>
            {data.changes.length === 0 ? (
              <p className="muted">No one has entered or left it yet.</p>
            ) : (
              <table aria-labelledby="changes">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Change</th>
                    <th scope="col">Profile</th>
                    <th scope="col">User id</th>
                  </tr>
                </thead>
                <tbody>
                  {data.changes.map((change) => (
                    <tr key={`${change.profile_id}:${change.at}:${change.change}`}>
                      <td>
                        <Time at={change.at} />
                      </td>
                      <td>
                        <span className={`badge ${change.change === 'entered' ? 'added' : 'removed'}`}>
                          {change.change}
                        </span>
                      </td>
                      <td>
                        <a href={href('profiles', { ref: change.profile_id })}>{change.profile_id}</a>
                      </td>
                      <td>{change.user_id ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </QueryState>
    </section>
  );
}

/** A condition typed as JSON, counted against every profile now, with a sample of who matches; nothing saved. */
function DraftPreview(props: { initial: unknown }) {
  const api = useApi();
  const [text, setText] = useState(() => JSON.stringify(props.initial, null, 2));
  const [parseError, setParseError] = useState<string | null>(null);
  const preview = useMutation({
    mutationFn: (when: unknown) =>
      api<{ matched: number; total: number; sample: string[] }>('/v1/segments/preview', {
        method: 'POST',
        body: { when },
      }),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    try {
      const when: unknown = JSON.parse(text);
      setParseError(null);
      preview.mutate(when);
    } catch (error) {
      setParseError(error instanceof Error ? error.message : String(error));
    }
  }

  return (
    <section aria-labelledby="draft">
      <h3 id="draft">Draft a condition</h3>
      <form onSubmit={submit}>
        <label htmlFor="draft-condition">Condition (JSON, as in the workspace file)</label>
        <textarea
          id="draft-condition"
          rows={6}
          value={text}
          onChange={(event) => setText(event.target.value)}
          spellCheck={false}
        />
        <button type="submit" disabled={preview.isPending}>
          Preview size
        </button>
      </form>
      {parseError !== null && (
        <p role="alert" className="error">
          Not JSON: {parseError}
        </p>
      )}
      {preview.isError && <ErrorNote error={preview.error} />}
      {preview.data !== undefined && (
        <div aria-live="polite">
          <p>
            Matches <strong data-testid="preview-size">{preview.data.matched}</strong> of {preview.data.total}{' '}
            profiles.
          </p>
          {preview.data.sample.length > 0 && (
            <ul aria-label="Sample of matching profiles">
              {preview.data.sample.map((id) => (
                <li key={id}>
                  <a href={href('profiles', { ref: id })}>{id}</a>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
