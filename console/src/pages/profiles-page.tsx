import {
  infiniteQueryOptions,
  queryOptions,
  useInfiniteQuery,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { refPath } from '../api.ts';
import { QueryState } from '../parts/query-state.tsx';
import { KeyValues, show, Time } from '../parts/values.tsx';
import { href, type Route } from '../route.ts';
import { useApi } from '../session.tsx';
import type { LoggedEvent, Merge, Profile, ProfileJourneys } from '../types.ts';

type Api = ReturnType<typeof useApi>;

const journeysQuery = (api: Api, path: string, ref: string) =>
  queryOptions({
    queryKey: ['profile-journeys', ref],
    queryFn: () => api<ProfileJourneys>(`${path}/journeys`),
  });

const mergesQuery = (api: Api, path: string, ref: string) =>
  queryOptions({ queryKey: ['merges', ref], queryFn: () => api<{ merges: Merge[] }>(`${path}/merges`) });

/** A person's timeline, 25 events a page, newest first. */
const timelineQuery = (api: Api, path: string, ref: string) =>
  infiniteQueryOptions({
    queryKey: ['timeline', ref],
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }) =>
      api<{ events: LoggedEvent[]; next_before?: number }>(
        `${path}/events?limit=25${pageParam === undefined ? '' : `&before=${pageParam}`}`,
      ),
    getNextPageParam: (page) => page.next_before,
  });

/** Identifier types offered in the search; "profile id" takes a `prf_…` id as it is. */
const TYPES = ['email', 'user_id', 'anonymous_id', 'phone', 'whatsapp', 'profile id'] as const;

/** Find a person by any identifier, then everything Tailor holds on them. */
export function ProfilesPage(props: { route: Route }) {
  const ref = props.route.query.get('ref');
  const [type, setType] = useState<string>(() =>
    ref?.includes(':') ? (ref.split(':')[0] ?? 'email') : 'email',
  );

  function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get('value') ?? '').trim();
    if (value === '') return;
    const next = type === 'profile id' || /^[a-z_]+:/.test(value) ? value : `${type}:${value}`;
    window.location.hash = href('profiles', { ref: next });
  }

  return (
    <>
      <form className="inline" onSubmit={search} aria-label="Find a profile">
        <label htmlFor="id-type">Identifier type</label>
        <select id="id-type" value={type} onChange={(event) => setType(event.target.value)}>
          {TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
        <label htmlFor="id-value">Value</label>
        <input
          id="id-value"
          name="value"
          key={ref ?? ''}
          defaultValue={ref?.replace(/^[a-z_]+:/, '') ?? ''}
          placeholder="meera@example.com"
          required
        />
        <button type="submit">Find</button>
      </form>
      {ref !== null && <ProfileView profileRef={ref} />}
    </>
  );
}

function ProfileView(props: { profileRef: string }) {
  const api = useApi();
  const queries = useQueryClient();
  const path = `/v1/profiles/${refPath(props.profileRef)}`;
  const profile = useQuery({ queryKey: ['profile', props.profileRef], queryFn: () => api<Profile>(path) });
  // The sections below the profile ask for their data at once, beside it, not after it arrives.
  useEffect(() => {
    void queries.prefetchQuery(journeysQuery(api, path, props.profileRef));
    void queries.prefetchQuery(mergesQuery(api, path, props.profileRef));
    void queries.prefetchInfiniteQuery(timelineQuery(api, path, props.profileRef));
  }, [queries, api, path, props.profileRef]);
  return (
    <QueryState query={profile}>
      {(p) => (
        <article aria-label="Profile" className="profile">
          <h2>{show(p.traits.first_name ?? p.traits.name ?? p.identifiers.email?.[0] ?? p.id)}</h2>
          <p className="muted">
            <code>{p.id}</code> · first seen <Time at={p.first_seen} /> · last seen <Time at={p.last_seen} />{' '}
            · lifecycle stage <strong>{p.lifecycle_stage ?? 'none'}</strong>
          </p>
          <div className="columns">
            <KeyValues
              caption="Identifiers"
              entries={Object.entries(p.identifiers).map(([type, values]) => [type, values.join(', ')])}
            />
            <KeyValues caption="Traits" entries={Object.entries(p.traits).map(([k, v]) => [k, show(v)])} />
            <KeyValues
              caption="Computed traits"
              entries={Object.entries(p.computed).map(([k, v]) => [k, show(v)])}
            />
            <KeyValues
              caption="Scores"
              entries={Object.entries(p.scores).map(([k, score]) => [
                k,
                `${score.value}${score.label === null ? '' : ` (${score.label})`}`,
              ])}
            />
            <KeyValues
              caption="Consent"
              entries={Object.entries(p.consent).map(([channel, consent]) => [
                channel,
                <>
                  {consent?.granted === false ? 'refused' : 'granted'} <Time at={consent?.at} />{' '}
                  {consent?.source === undefined ? null : <span className="muted">({consent.source})</span>}
                </>,
              ])}
            />
            <KeyValues
              caption="Segments"
              entries={Object.entries(p.segments).map(([key, segment]) => [
                key,
                <>
                  <a href={href('segments', key)}>entered</a> <Time at={segment.entered_at} />
                </>,
              ])}
            />
            <KeyValues
              caption="Risks"
              entries={Object.entries(p.risks).map(([key, risk]) => [
                key,
                <>
                  set <Time at={risk.at} />, since <Time at={risk.since} />
                </>,
              ])}
            />
          </div>
          <p>
            <a href={href('decisions', { ref: props.profileRef })}>Simulate a decision for this person</a>
          </p>
          <ProfileJourneysView path={path} profileRef={props.profileRef} />
          <Merges path={path} profileRef={props.profileRef} />
          <Timeline path={path} profileRef={props.profileRef} />
        </article>
      )}
    </QueryState>
  );
}

function ProfileJourneysView(props: { path: string; profileRef: string }) {
  const api = useApi();
  const query = useQuery(journeysQuery(api, props.path, props.profileRef));
  return (
    <section aria-labelledby="journeys">
      <h3 id="journeys">Journeys</h3>
      <QueryState query={query}>
        {(runs) =>
          runs.active.length === 0 && runs.history.length === 0 ? (
            <p className="muted">In no journey.</p>
          ) : (
            <ul>
              {runs.active.map((run) => (
                <li key={run.journey}>
                  <strong>{run.journey}</strong>: at step <code>{run.step ?? '—'}</code>
                  {run.held ? ' (held by a pause)' : ''}, entered <Time at={run.entered_at} />
                  {run.waiting_until !== null && (
                    <>
                      , waiting until <Time at={run.waiting_until} />
                    </>
                  )}
                </li>
              ))}
              {runs.history.map((h) => (
                <li key={`h-${h.journey}`}>
                  <strong>{h.journey}</strong>: entered {h.entries} time(s), last{' '}
                  <Time at={h.last_entered_at} />
                  {h.last_outcome !== null && `, last outcome ${h.last_outcome}`}
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
    </section>
  );
}

function Merges(props: { path: string; profileRef: string }) {
  const api = useApi();
  const query = useQuery(mergesQuery(api, props.path, props.profileRef));
  return (
    <section aria-labelledby="merges">
      <h3 id="merges">Merge history</h3>
      <QueryState query={query}>
        {({ merges }) =>
          merges.length === 0 ? (
            <p className="muted">Never merged: one profile from the start.</p>
          ) : (
            <ul>
              {merges.map((merge) => (
                <li key={`${merge.from_id}-${merge.message_id}`}>
                  <Time at={merge.at} />: <code>{merge.from_id}</code> merged into{' '}
                  <code>{merge.into_id}</code> by event <code>{merge.message_id}</code> (
                  {show(merge.identifiers)})
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
    </section>
  );
}

/** What an event says in one line: `Checkout Abandoned`, `page Pricing`, `identify`. */
function eventTitle(event: LoggedEvent): string {
  if (event.type === 'track') return event.event ?? 'track';
  return [event.type, event.name].filter((part) => part !== undefined).join(' ');
}

function eventSource(event: LoggedEvent): string {
  if (event.context.tailor?.derived === true) return 'derived';
  if (event.origin === 'tailor' || event.context.tailor?.recorded === true) return 'decision';
  const channel = event.properties.channel;
  if (event.event?.startsWith('Message ') && typeof channel === 'string') return channel;
  return 'received';
}

function Timeline(props: { path: string; profileRef: string }) {
  const api = useApi();
  const query = useInfiniteQuery(timelineQuery(api, props.path, props.profileRef));
  return (
    <section aria-labelledby="timeline">
      <h3 id="timeline">Timeline</h3>
      <QueryState query={query}>
        {(data) => (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Event</th>
                  <th scope="col">Source</th>
                  <th scope="col">Properties</th>
                </tr>
              </thead>
              <tbody>
                {data.pages
                  .flatMap((page) => page.events)
                  .map((event) => (
                    <tr key={`${event.seq}-${event.messageId}`}>
                      <td>
                        <Time at={event.timestamp} />
                      </td>
                      <td>{eventTitle(event)}</td>
                      <td>
                        <span className={`badge ${eventSource(event)}`}>{eventSource(event)}</span>
                      </td>
                      <td className="props">{propertiesLine(event)}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
            {query.hasNextPage && (
              <button type="button" onClick={() => query.fetchNextPage()} disabled={query.isFetchingNextPage}>
                Older events
              </button>
            )}
          </>
        )}
      </QueryState>
    </section>
  );
}

function propertiesLine(event: LoggedEvent): string {
  const source = event.type === 'identify' ? event.traits : event.properties;
  return Object.entries(source)
    .filter(([, value]) => typeof value !== 'object' || value === null)
    .map(([key, value]) => `${key}: ${show(value)}`)
    .join(' · ');
}
