import { useQuery } from '@tanstack/react-query';
import { QueryState } from '../parts/query-state.tsx';
import { Time } from '../parts/values.tsx';
import { href } from '../route.ts';
import { useApi } from '../session.tsx';
import type { Overview } from '../types.ts';

/** The workspace at a glance, refreshed every two seconds. */
export function OverviewPage() {
  const api = useApi();
  const query = useQuery({
    queryKey: ['overview'],
    queryFn: () => api<Overview>('/v1/overview'),
    refetchInterval: 2_000,
  });
  return (
    <QueryState query={query}>
      {(overview) => (
        <>
          <p className="muted">
            Workspace <strong>{overview.workspace}</strong>, definition version {overview.version}, as of{' '}
            <Time at={overview.at} />.
          </p>
          <div className="cards">
            <section className="card" aria-labelledby="rate">
              <h2 id="rate">Events per second</h2>
              <p className="figure">{overview.events.per_second.toFixed(1)}</p>
              <Spark counts={overview.events.last_minute} />
            </section>
            <section className="card" aria-labelledby="profiles">
              <h2 id="profiles">Profiles</h2>
              <p className="figure">{overview.profiles.toLocaleString()}</p>
            </section>
            <section className="card" aria-labelledby="dead">
              <h2 id="dead">Dead letters</h2>
              <p className="figure">{overview.sends.dead_letters}</p>
              <a href={href('sends', { status: 'dead' })}>See dead letters</a>
            </section>
            <section className="card" aria-labelledby="timers">
              <h2 id="timers">Timer lateness</h2>
              <p className="figure">{overview.timers.late_ms} ms</p>
              <p className="muted">
                Next due: <Time at={overview.timers.next_due} />
              </p>
            </section>
            <section className="card" aria-labelledby="rebuild">
              <h2 id="rebuild">Rebuild</h2>
              {overview.rebuild === null ? (
                <p className="figure">idle</p>
              ) : (
                <>
                  <label htmlFor="rebuild-progress">
                    {overview.rebuild.done} of {overview.rebuild.total} events
                  </label>
                  <progress
                    id="rebuild-progress"
                    max={overview.rebuild.total}
                    value={overview.rebuild.done}
                  />
                </>
              )}
            </section>
          </div>
          <div className="columns">
            <section aria-labelledby="segments">
              <h2 id="segments">Segments</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Segment</th>
                    <th scope="col" className="number">
                      Size
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {overview.segments.map((segment) => (
                    <tr key={segment.key}>
                      <td>
                        <a href={href('segments', segment.key)}>{segment.name ?? segment.key}</a>
                      </td>
                      <td className="number">{segment.size.toLocaleString()}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section aria-labelledby="sends">
              <h2 id="sends">Sends by status</h2>
              <table>
                <tbody>
                  {Object.entries(overview.sends.by_status).map(([status, count]) => (
                    <tr key={status}>
                      <th scope="row">
                        <a href={href('sends', { status })}>{status}</a>
                      </th>
                      <td className="number">{count.toLocaleString()}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          </div>
        </>
      )}
    </QueryState>
  );
}

/** Events per second over the last minute, as bars; the numbers are in its accessible name. */
function Spark(props: { counts: number[] }) {
  const max = Math.max(1, ...props.counts);
  const total = props.counts.reduce((sum, count) => sum + count, 0);
  return (
    <svg
      className="spark"
      viewBox={`0 0 ${props.counts.length * 4} 30`}
      role="img"
      aria-label={`${total} events in the last minute`}
    >
      {props.counts.map((count, i) => {
        const height = (count / max) * 30;
        // biome-ignore lint/suspicious/noArrayIndexKey: one bar per second, in a fixed order
        return <rect key={i} x={i * 4} y={30 - height} width={3} height={height} />;
      })}
    </svg>
  );
}
