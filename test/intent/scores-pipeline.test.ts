import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toProfileView } from '../../src/profile/profile-view.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import {
  ingestAsProvider,
  openTestTailor,
  sendAccepted,
  type TestTailor,
  workspaceYaml,
} from '../support/test-tailor.ts';

const DAY = 86_400_000;

let t: TestTailor;
beforeEach(async () => {
  t = await openTestTailor();
  await t.engine.applyWorkspace(
    parseWorkspaceYaml({
      text: `${workspaceYaml('shop')}scores:
  - key: intent
    half_life: 7d
    rules:
      - event: Pricing
        event_types: [page]
        points: 15
      - event: Message Clicked
        points: 10
      - event: Product Viewed
        where: { computed.orders: 0 }
        points: 5
    labels: { high: 60, medium: 20, low: 0 }
`,
    }),
  );
});
afterEach(async () => {
  await t.close();
});

function send(path: string, body: Record<string, unknown>): Promise<void> {
  return sendAccepted(t, path, body);
}

describe('scores in the pipeline', () => {
  it('earn points on ingest, merge with identity, and decay by the clock', async () => {
    const at = Date.parse('2026-03-01T09:00:00Z');
    await send('/v1/page', { anonymousId: 'anon-1', name: 'Pricing', timestamp: '2026-03-01T09:00:00Z' });
    // Feedback comes from a provider callback, never from the write key.
    await ingestAsProvider(t, { userId: 'U1', event: 'Message Clicked', timestamp: '2026-03-01T09:00:00Z' });
    await send('/v1/track', { userId: 'U1', event: 'Product Viewed', timestamp: '2026-03-01T09:00:00Z' });
    await send('/v1/alias', { userId: 'U1', previousId: 'anon-1', timestamp: '2026-03-01T09:00:00Z' });
    await send('/v1/track', { userId: 'U1', event: 'Order Completed', timestamp: '2026-03-01T09:00:00Z' });
    await send('/v1/track', { userId: 'U1', event: 'Product Viewed', timestamp: '2026-03-01T09:00:00Z' });
    const profile = await t.engine.reads.findProfile('shop', 'user_id:U1');
    const compiled = t.engine.workspace('shop');
    if (profile === undefined || compiled === undefined) throw new Error('no profile');
    const view = (now: number) =>
      toProfileView({ profile, compiled: compiled.computed, scores: compiled.scores, now }).scores;
    expect(view(at)).toEqual({ intent: { value: 30, label: 'medium' } });
    expect(view(at + 7 * DAY)).toEqual({ intent: { value: 15, label: 'low' } });
  });
});
