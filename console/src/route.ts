import { useSyncExternalStore } from 'react';

/** The console's place, in the URL hash (`#/profiles?ref=email:a@b.com`), so links and the back button work. */
export interface Route {
  page: string;
  /** Path parts after the page (`#/segments/high_intent` → `['high_intent']`). */
  rest: string[];
  query: URLSearchParams;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The current route, re-rendering on hash changes. */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  const [page = 'overview', ...rest] = path
    .split('/')
    .filter((part) => part !== '')
    .map(decodeURIComponent);
  return { page, rest, query: new URLSearchParams(search) };
}

/** A hash link to a page (`href('segments', key)`), with query parameters. */
export function href(page: string, ...rest: (string | Record<string, string>)[]): string {
  const parts = rest.filter((part): part is string => typeof part === 'string').map(encodeURIComponent);
  const query = rest.find((part): part is Record<string, string> => typeof part !== 'string');
  const search = query === undefined ? '' : `?${new URLSearchParams(query).toString()}`;
  return `#/${[page, ...parts].join('/')}${search}`;
}
