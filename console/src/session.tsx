import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { callApi } from './api.ts';

/** Where the admin key is kept: this tab's session only, gone when the tab closes. */
const STORAGE_KEY = 'tailor.adminKey';

interface Session {
  key: string | null;
  signIn(key: string): void;
  signOut(): void;
}

const SessionContext = createContext<Session | null>(null);

/** Holds the admin key for the tab (sessionStorage), never in a cookie or localStorage. */
export function SessionProvider(props: { children: ReactNode }) {
  const [key, setKey] = useState<string | null>(() => sessionStorage.getItem(STORAGE_KEY));
  const signIn = useCallback((next: string) => {
    sessionStorage.setItem(STORAGE_KEY, next);
    setKey(next);
  }, []);
  const signOut = useCallback(() => {
    sessionStorage.removeItem(STORAGE_KEY);
    setKey(null);
  }, []);
  const value = useMemo(() => ({ key, signIn, signOut }), [key, signIn, signOut]);
  return <SessionContext.Provider value={value}>{props.children}</SessionContext.Provider>;
}

/** The session of the tab. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession outside SessionProvider');
  return session;
}

/** A caller of the admin API with the signed-in key. */
export function useApi(): <T>(path: string, init?: { method?: string; body?: unknown }) => Promise<T> {
  const { key } = useSession();
  return useCallback(
    <T,>(path: string, init?: { method?: string; body?: unknown }) => callApi<T>(key ?? '', path, init),
    [key],
  );
}
