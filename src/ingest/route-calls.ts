import type { IngestCall } from './normalize-call.ts';

/**
 * The URL path segments of the tracking API (`/v1/<segment>`) and the call each one means:
 * the six spec calls, `batch`, `import` (Segment's historical name for batch) and the one-letter
 * forms browsers use to keep beacons short. The object has no prototype, so looking up a
 * request's segment (`CALL_PATHS['constructor']`) can only yield a call or undefined.
 */
export const CALL_PATHS: Readonly<Record<string, IngestCall>> = Object.freeze(
  Object.assign(Object.create(null), {
    identify: 'identify',
    track: 'track',
    page: 'page',
    screen: 'screen',
    group: 'group',
    alias: 'alias',
    batch: 'batch',
    import: 'batch',
    i: 'identify',
    t: 'track',
    p: 'page',
    s: 'screen',
    g: 'group',
    a: 'alias',
    b: 'batch',
  } satisfies Record<string, IngestCall>),
);
