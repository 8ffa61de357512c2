import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ErrorNote, QueryState } from '../parts/query-state.tsx';
import { useApi } from '../session.tsx';
import type { Journey } from '../types.ts';

function outcomes(ended: Record<string, number>): string {
  const entries = Object.entries(ended);
  return entries.length === 0 ? '—' : entries.map(([outcome, count]) => `${outcome} ${count}`).join(', ');
}

/** Each journey as its steps in order, with runs reached, waiting, sent and ended at each; pause and resume. */
export function JourneysPage() {
  const api = useApi();
  const queries = useQueryClient();
  const list = useQuery({
    queryKey: ['journeys'],
    queryFn: () => api<{ journeys: Journey[] }>('/v1/journeys'),
    refetchInterval: 5_000,
  });
  const toggle = useMutation({
    mutationFn: (input: { key: string; pause: boolean }) =>
      api(`/v1/journeys/${encodeURIComponent(input.key)}/${input.pause ? 'pause' : 'resume'}`, {
        method: 'POST',
      }),
    onSettled: () => queries.invalidateQueries({ queryKey: ['journeys'] }),
  });
  return (
    <QueryState query={list}>
      {({ journeys }) =>
        journeys.length === 0 ? (
          <p className="muted">The workspace defines no journey.</p>
        ) : (
          <>
            {toggle.isError && <ErrorNote error={toggle.error} />}
            {journeys.map((journey) => (
              <section key={journey.key} aria-labelledby={`journey-${journey.key}`} className="journey">
                <h2 id={`journey-${journey.key}`}>
                  {journey.name ?? journey.key}{' '}
                  <span
                    className={`badge ${journey.paused ? 'paused' : 'running'}`}
                    data-testid={`state-${journey.key}`}
                  >
                    {journey.paused ? 'paused' : 'running'}
                  </span>
                </h2>
                <p>
                  Runs started {journey.entered}, in progress {journey.active}, ended:{' '}
                  {outcomes(journey.ended)}.
                </p>
                <button
                  type="button"
                  disabled={toggle.isPending}
                  onClick={() => toggle.mutate({ key: journey.key, pause: !journey.paused })}
                >
                  {journey.paused
                    ? `Resume ${journey.name ?? journey.key}`
                    : `Pause ${journey.name ?? journey.key}`}
                </button>
                <ol className="flow" aria-label={`Steps of ${journey.name ?? journey.key}`}>
                  {journey.steps.map((step) => (
                    <li key={step.key} className={`step ${step.type}`}>
                      <strong>{step.key}</strong> <span className="muted">({step.type})</span>
                      <dl>
                        <dt>reached</dt>
                        <dd>{step.entered}</dd>
                        <dt>waiting</dt>
                        <dd>{step.waiting}</dd>
                        <dt>sent</dt>
                        <dd>{step.sent}</dd>
                        <dt>ended</dt>
                        <dd>{outcomes(step.ended)}</dd>
                      </dl>
                    </li>
                  ))}
                </ol>
              </section>
            ))}
          </>
        )
      }
    </QueryState>
  );
}
