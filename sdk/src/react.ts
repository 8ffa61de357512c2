/**
 * The optional React binding: `<TailorProvider tailor={tailor}>` around the app, then
 * `usePlacement('home_banner')` in a component. The first render already has the cached answer
 * (no flicker on a returning visit); the fresh one follows. Attach `ref` to the element showing
 * the placement so it is recorded as shown only once seen.
 */
import { createContext, createElement, type ReactNode, useContext, useEffect, useRef, useState } from 'react';
import type { Placement } from './placements.ts';
import type { Tailor } from './tailor.ts';

const TailorContext = createContext<Tailor | undefined>(undefined);

/** Gives the components below the SDK instance (loaded by the page with `tailor.load`). */
export function TailorProvider(props: { tailor: Tailor; children?: ReactNode }) {
  return createElement(TailorContext.Provider, { value: props.tailor }, props.children);
}

/** The SDK instance of the nearest `TailorProvider`. */
export function useTailor(): Tailor {
  const tailor = useContext(TailorContext);
  if (tailor === undefined) throw new Error('useTailor needs a <TailorProvider> above it');
  return tailor;
}

/** What `usePlacement` gives: the answer (cached, then fresh), whether decide answered, and the ref to attach. */
export interface PlacementState<E extends Element> {
  variant: string | null;
  content: Record<string, unknown> | null;
  /** True once decide answered (or failed: then the cached or default content stays). */
  ready: boolean;
  ref: { current: E | null };
}

/** Decides one placement for the visitor, starting from the answer cached on an earlier page. */
export function usePlacement<E extends Element = HTMLElement>(key: string): PlacementState<E> {
  const tailor = useTailor();
  const ref = useRef<E | null>(null);
  const [answer, setAnswer] = useState<Placement | undefined>(() => tailor.cached(key));
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let live = true;
    tailor.decide([key]).then(
      (placements) => {
        if (!live) return;
        const fresh = placements[key];
        setAnswer(fresh);
        setReady(true);
        if (fresh !== undefined && ref.current !== null) tailor.observe(ref.current, fresh);
      },
      () => live && setReady(true),
    );
    return () => {
      live = false;
    };
  }, [tailor, key]);
  return { variant: answer?.variant ?? null, content: answer?.content ?? null, ready, ref };
}
