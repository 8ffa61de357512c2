import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError, callApi } from './api.ts';
import { DecisionsPage } from './pages/decisions-page.tsx';
import { JourneysPage } from './pages/journeys-page.tsx';
import { LivePage } from './pages/live-page.tsx';
import { OverviewPage } from './pages/overview-page.tsx';
import { ProfilesPage } from './pages/profiles-page.tsx';
import { SegmentsPage } from './pages/segments-page.tsx';
import { SendsPage } from './pages/sends-page.tsx';
import { WorkspacePage } from './pages/workspace-page.tsx';
import { ErrorNote } from './parts/query-state.tsx';
import { href, type Route, useRoute } from './route.ts';
import { useSession } from './session.tsx';

/** The pages, in the order of the navigation. */
const PAGES = [
  { page: 'overview', title: 'Overview', render: () => <OverviewPage /> },
  { page: 'live', title: 'Live events', render: () => <LivePage /> },
  { page: 'profiles', title: 'Profiles', render: (route: Route) => <ProfilesPage route={route} /> },
  { page: 'segments', title: 'Segments', render: (route: Route) => <SegmentsPage route={route} /> },
  { page: 'decisions', title: 'Decisions', render: (route: Route) => <DecisionsPage route={route} /> },
  { page: 'journeys', title: 'Journeys', render: () => <JourneysPage /> },
  { page: 'sends', title: 'Sends', render: () => <SendsPage /> },
  { page: 'workspace', title: 'Workspace', render: () => <WorkspacePage /> },
] as const;

/** The console: the sign-in form until an admin key is given, then the navigation and the current page. */
export function App() {
  const { key, signOut } = useSession();
  const route = useRoute();
  const queries = useQueryClient();
  const heading = useRef<HTMLHeadingElement>(null);
  const current = PAGES.find((entry) => entry.page === route.page) ?? PAGES[0];

  useEffect(() => {
    document.title = `${current.title} · Tailor console`;
  }, [current.title]);
  // Moving to another page puts focus on its heading, so screen readers announce it.
  const previous = useRef(current.page);
  useEffect(() => {
    if (previous.current !== current.page) heading.current?.focus();
    previous.current = current.page;
  }, [current.page]);

  if (key === null) return <SignIn />;
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Tailor console</span>
        <nav aria-label="Console">
          <ul>
            {PAGES.map((entry) => (
              <li key={entry.page}>
                <a href={href(entry.page)} aria-current={entry.page === current.page ? 'page' : undefined}>
                  {entry.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button
          type="button"
          className="quiet"
          onClick={() => {
            queries.clear();
            signOut();
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main">
        <h1 ref={heading} tabIndex={-1}>
          {current.title}
        </h1>
        {current.render(route)}
      </main>
    </>
  );
}

/** Asks for the admin key and checks it against the API before keeping it for the tab. */
function SignIn() {
  const { signIn } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const key = String(new FormData(event.currentTarget).get('key') ?? '').trim();
    setBusy(true);
    try {
      await callApi(key, '/v1/overview');
      signIn(key);
    } catch (caught) {
      setError(
        caught instanceof ApiError && caught.status === 401
          ? new ApiError(401, caught.code, 'That admin key is not known here.')
          : caught,
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="sign-in">
      <h1>Tailor console</h1>
      <form onSubmit={submit}>
        <label htmlFor="key">Admin key</label>
        <input id="key" name="key" type="password" autoComplete="off" required />
        <p className="muted">Kept in this tab only, until it closes.</p>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error !== null && <ErrorNote error={error} />}
      </form>
    </main>
  );
}
