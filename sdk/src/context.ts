/** The library named in every event's `context.library`. */
export const LIBRARY = { name: 'tailor.js', version: '0.1.0' } as const;

/** UTM parameters and the `context.campaign` field each fills, as analytics.js maps them. */
const UTM: Record<string, string> = {
  utm_source: 'source',
  utm_medium: 'medium',
  utm_campaign: 'name',
  utm_term: 'term',
  utm_content: 'content',
};

/** Ad click ids kept in `context.campaign` by their own name, so attribution can read them. */
const CLICK_IDS = ['gclid', 'gbraid', 'wbraid', 'fbclid', 'msclkid', 'ttclid', 'li_fat_id', 'twclid'];

/** The page as analytics.js describes it in `context.page` and page properties. */
export function pageInfo(): Record<string, string> {
  const canonical = document.querySelector<HTMLLinkElement>('link[rel="canonical"]')?.href;
  const url = canonical ?? location.href.split('#')[0] ?? location.href;
  return {
    path: canonical === undefined ? location.pathname : new URL(canonical).pathname,
    referrer: document.referrer,
    search: location.search,
    title: document.title,
    url: url,
  };
}

/** `context.campaign` from the page's query: UTM fields renamed as analytics.js does, click ids as is. */
export function campaign(search: string): Record<string, string> | undefined {
  const params = new URLSearchParams(search);
  const found: Record<string, string> = {};
  for (const [name, value] of params) {
    const field = UTM[name] ?? (CLICK_IDS.includes(name) ? name : undefined);
    if (field !== undefined && value !== '') found[field] = value;
  }
  return Object.keys(found).length === 0 ? undefined : found;
}

/**
 * The `context` analytics.js fills for a browser event: library, page, userAgent, locale,
 * timezone, campaign (UTM and click ids) and the screen; `extra` (from `load({ context })` and
 * the call's options) is laid over it.
 */
export function browserContext(extra: Record<string, unknown> | undefined): Record<string, unknown> {
  const page = pageInfo();
  const found = campaign(location.search);
  let timezone: string | undefined;
  try {
    timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    timezone = undefined;
  }
  return {
    library: LIBRARY,
    page,
    userAgent: navigator.userAgent,
    locale: navigator.language,
    ...(timezone === undefined ? {} : { timezone }),
    screen: { width: screen.width, height: screen.height, density: devicePixelRatio },
    ...(found === undefined ? {} : { campaign: found }),
    ...extra,
  };
}
