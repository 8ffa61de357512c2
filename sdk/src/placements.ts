import { local } from './storage.ts';

/** What decide answered for one placement: the variant chosen (null: none) and its content. */
export interface Placement {
  variant: string | null;
  content: Record<string, unknown> | null;
  /** Proof of this answer that `/v1/exposures` takes when the placement is seen. */
  exposure?: string;
}

/** A placement's last answer, kept in localStorage for the next page. */
interface Cached extends Placement {
  /** Whose answer it is (`userId` or `anonymousId`): another person's is never shown. */
  who: string;
  at: number;
}

/** The localStorage key of one placement's last answer. */
export const cacheKey = (placement: string): string => `tailor_placement:${placement}`;

/** The cached answer of a placement for this visitor, if any. */
export function cachedPlacement(placement: string, who: string): Placement | undefined {
  const value = local.get(cacheKey(placement));
  if (typeof value !== 'object' || value === null) return undefined;
  const cached = value as Partial<Cached>;
  if (cached.who !== who || cached.variant === undefined || cached.content === undefined) return undefined;
  return { variant: cached.variant, content: cached.content };
}

/** Keeps a placement's answer for the next page (without its exposure proof: that one is spent). */
export function cachePlacement(placement: string, who: string, answer: Placement): void {
  const cached: Cached = { variant: answer.variant, content: answer.content, who, at: Date.now() };
  local.set(cacheKey(placement), cached);
}

/** Forgets every cached answer (on `reset`, when the visitor changes). */
export function clearPlacementCache(): void {
  try {
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const key = localStorage.key(i);
      if (key?.startsWith('tailor_placement:')) localStorage.removeItem(key);
    }
  } catch {
    // Storage refused: nothing was cached.
  }
}

/** The attribute that marks an element as a placement, and the one set once it shows its content. */
export const PLACEMENT_ATTR = 'data-tailor-placement';
export const READY_ATTR = 'data-tailor-ready';

/**
 * The anti-flicker rule: placements stay invisible (keeping their room, so nothing jumps) until
 * they are rendered or the timeout shows their default markup. Injected as soon as the script
 * runs; a page loading the SDK late puts the same rule in its own `<style>`.
 */
export const HIDE_RULE = `[${PLACEMENT_ATTR}]:not([${READY_ATTR}]){visibility:hidden}`;

/** Adds the anti-flicker rule to the page once. */
export function hidePlacements(): void {
  if (document.getElementById('tailor-hide') !== null) return;
  const style = document.createElement('style');
  style.id = 'tailor-hide';
  style.textContent = HIDE_RULE;
  (document.head ?? document.documentElement).appendChild(style);
}

/**
 * Shows an answer in an element: each descendant with `data-tailor-field="title"` gets the
 * content's `title` as text (never as HTML, so content cannot inject script), the element gets
 * `data-tailor-variant`, and a `tailor:render` event lets the page render anything richer. A
 * null variant leaves the element's own (default) markup. Then the element is revealed.
 */
export function renderPlacement(element: HTMLElement, answer: Placement | undefined): void {
  if (answer !== undefined && answer.variant !== null && answer.content !== null) {
    const { content } = answer;
    for (const field of element.querySelectorAll<HTMLElement>('[data-tailor-field]')) {
      const value = content[field.dataset['tailorField'] ?? ''];
      if (typeof value === 'string' || typeof value === 'number') field.textContent = String(value);
    }
    element.setAttribute('data-tailor-variant', answer.variant);
    element.dispatchEvent(new CustomEvent('tailor:render', { detail: answer, bubbles: true }));
  }
  element.setAttribute(READY_ATTR, '');
}
