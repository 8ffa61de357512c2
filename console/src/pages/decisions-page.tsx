import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ErrorNote } from '../parts/query-state.tsx';
import { Json, show } from '../parts/values.tsx';
import type { Route } from '../route.ts';
import { useApi } from '../session.tsx';
import type { CandidateTrace, Decision } from '../types.ts';

interface WorkspaceAnswer {
  definition: { decisions?: { placements?: { key: string }[] } };
}

/**
 * The decision simulator: a person (any identifier) or an anonymous visitor's context, and what
 * Tailor would show and do now, with why: each gate and the values it read, the priority
 * arithmetic, each channel refused and the rule that refused it. Nothing is recorded.
 */
export function DecisionsPage(props: { route: Route }) {
  const api = useApi();
  const [who, setWho] = useState<'person' | 'anonymous'>('person');
  const [ref, setRef] = useState(props.route.query.get('ref') ?? '');
  const [context, setContext] = useState('{\n  "location": { "city": "Bangalore" }\n}');
  const [contextError, setContextError] = useState<string | null>(null);
  const workspace = useQuery({
    queryKey: ['workspace'],
    queryFn: () => api<WorkspaceAnswer>('/v1/workspace'),
  });
  const placements = workspace.data?.definition.decisions?.placements?.map((p) => p.key) ?? [];
  const simulate = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      api<Decision>('/v1/decide/simulate', { method: 'POST', body }),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(context === '' ? '{}' : context);
      setContextError(null);
    } catch (error) {
      setContextError(error instanceof Error ? error.message : String(error));
      return;
    }
    const person = who === 'person' ? ref.trim() : '';
    simulate.mutate({
      ...(person === '' ? {} : person.startsWith('prf_') ? { profileId: person } : { identifier: person }),
      context: parsed,
      placements,
      actions: true,
    });
  }

  return (
    <>
      <form onSubmit={submit} className="stack">
        <fieldset>
          <legend>Who</legend>
          <label>
            <input type="radio" name="who" checked={who === 'person'} onChange={() => setWho('person')} /> A
            person
          </label>
          <label>
            <input
              type="radio"
              name="who"
              checked={who === 'anonymous'}
              onChange={() => setWho('anonymous')}
            />{' '}
            An anonymous visitor
          </label>
        </fieldset>
        {who === 'person' && (
          <>
            <label htmlFor="decide-ref">Identifier (type:value) or profile id</label>
            <input
              id="decide-ref"
              value={ref}
              onChange={(event) => setRef(event.target.value)}
              placeholder="user_id:USR_5120"
              required
            />
          </>
        )}
        <label htmlFor="decide-context">Context of the request (JSON: location, campaign, page…)</label>
        <textarea
          id="decide-context"
          rows={4}
          value={context}
          onChange={(event) => setContext(event.target.value)}
          spellCheck={false}
        />
        {contextError !== null && (
          <p role="alert" className="error">
            The context is not JSON: {contextError}
          </p>
        )}
        <p className="muted">Placements filled: {placements.length === 0 ? 'none' : placements.join(', ')}</p>
        <button type="submit" disabled={simulate.isPending}>
          Simulate
        </button>
      </form>
      {simulate.isError && <ErrorNote error={simulate.error} />}
      {simulate.data !== undefined && <DecisionView decision={simulate.data} />}
    </>
  );
}

function DecisionView(props: { decision: Decision }) {
  const { decision } = props;
  const action = decision.action;
  const trace = action?.trace;
  return (
    <div aria-live="polite" className="decision">
      <p className="muted">
        {decision.profile_id === null
          ? 'No known profile: decided on the context alone.'
          : `Profile ${decision.profile_id}`}
      </p>
      <section aria-labelledby="placements">
        <h2 id="placements">Placements</h2>
        {Object.keys(decision.placements).length === 0 ? (
          <p className="muted">No placement asked for.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Placement</th>
                <th scope="col">Variant</th>
                <th scope="col">Content</th>
                <th scope="col">Variants tried</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(decision.placements).map(([key, placement]) => (
                <tr key={key}>
                  <th scope="row">{key}</th>
                  <td>
                    {placement.variant ?? 'none (default)'}
                    {placement.learning?.explored === true && ' (exploring)'}
                  </td>
                  <td className="props">{show(placement.content)}</td>
                  <td className="props">
                    {(placement.trace ?? [])
                      .map(
                        (tried) =>
                          `${tried.variant} ${tried.holds ? '✓' : '✗'}${
                            tried.reads === undefined
                              ? ''
                              : ` (${Object.entries(tried.reads)
                                  .map(([path, value]) => `${path} = ${show(value)}`)
                                  .join(', ')})`
                          }${tried.experiment === undefined ? '' : ` (experiment ${tried.experiment})`}${
                            tried.learned === undefined
                              ? ''
                              : ` (learned ${tried.learned.propensity.toFixed(3)}, mean ${tried.learned.mean.toFixed(3)}, ${tried.learned.evidence} seen in ${tried.learned.bin})`
                          }`,
                      )
                      .join(' → ') || '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {action !== undefined && (
        <section aria-labelledby="nba">
          <h2 id="nba">Next best action</h2>
          <p className={`outcome ${action.outcome}`}>
            {action.outcome === 'action' ? (
              <>
                <strong>{action.action}</strong> on <strong>{action.channel}</strong>
                {action.timing !== null && `, ${action.timing}`}
              </>
            ) : action.outcome === 'held_out' ? (
              <strong>Held out (control group)</strong>
            ) : (
              <strong>No action</strong>
            )}
          </p>
          {action.reason !== null && (
            <p>
              Why: <span data-testid="decision-reason">{action.reason}</span>
            </p>
          )}
          {trace !== undefined && (
            <>
              {trace.holdout !== undefined && (
                <p>
                  Holdout: {trace.holdout.percent}% held out; this person's bucket is {trace.holdout.bucket} (
                  {trace.holdout.heldOut ? 'held out' : 'not held out'}).
                </p>
              )}
              {trace.timing !== undefined && (
                <p>
                  Timing: timezone {trace.timing.timezone}
                  {trace.timing.quietHours !== null &&
                    `, quiet hours ${trace.timing.quietHours.start}–${trace.timing.quietHours.end}`}
                  {trace.timing.sendAt !== null && `, sends at ${trace.timing.sendAt}`}
                </p>
              )}
              <h3>Every action considered</h3>
              <ol className="candidates">
                {trace.candidates.map((candidate) => (
                  <Candidate
                    key={candidate.action}
                    candidate={candidate}
                    winner={trace.winner?.action === candidate.action}
                  />
                ))}
              </ol>
              {trace.renderErrors.length > 0 && (
                <>
                  <h3>Template errors</h3>
                  <ul>
                    {trace.renderErrors.map((error) => (
                      <li key={error.path}>
                        <code>{error.path}</code>: {error.message}
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </>
          )}
          <details>
            <summary>Decision context and content</summary>
            <Json
              value={{ context: action.context, content: action.content }}
              label="Decision context and content"
            />
          </details>
        </section>
      )}
    </div>
  );
}

function Candidate(props: { candidate: CandidateTrace; winner: boolean }) {
  const { candidate } = props;
  const verdict = props.winner ? 'chosen' : candidate.candidate ? 'eligible, not chosen' : 'ruled out';
  return (
    <li className={`candidate ${props.winner ? 'winner' : ''}`}>
      <h4>
        {candidate.action} <span className="badge">{verdict}</span>
      </h4>
      <table>
        <caption className="sr-only">Gates of {candidate.action}</caption>
        <thead>
          <tr>
            <th scope="col">Gate</th>
            <th scope="col">Result</th>
            <th scope="col">Values read</th>
          </tr>
        </thead>
        <tbody>
          {candidate.conditions.map((condition) => (
            <tr key={condition.condition}>
              <td>{condition.condition}</td>
              <td>{condition.holds ? '✓ holds' : '✗ fails'}</td>
              <td className="props">
                {condition.reads === undefined
                  ? '—'
                  : Object.entries(condition.reads)
                      .map(([path, value]) => `${path} = ${show(value)}`)
                      .join(' · ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {candidate.arithmetic !== undefined && (
        <p>
          Priority: <code>{candidate.arithmetic}</code>
        </p>
      )}
      {candidate.channels !== undefined && candidate.channels.length > 0 && (
        <ul aria-label={`Channels of ${candidate.action}`}>
          {candidate.channels.map((channel) => (
            <li key={channel.channel}>
              <strong>{channel.channel}</strong>: {channel.allowed ? 'allowed' : 'refused'}
              {channel.reason !== undefined && <> — {channel.reason}</>}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
