import { describe, expect, it } from 'vitest';
import type { ExposureRow } from '../../../src/store/ports/exposure-log.ts';
import type { Store } from '../../../src/store/store.ts';
import { commit, freshStoreEach, merge, type OpenStore, profile, T0 } from './store-fixtures.ts';

/** An exposure of `placement` by decision `messageId`, shown to profile `profileId` (or a visitor). */
function exposure(parts: Partial<ExposureRow> & { messageId: string }): ExposureRow {
  return {
    workspaceId: 'a',
    profileId: 'p1',
    userId: null,
    anonymousId: null,
    placement: 'hero',
    variant: 'welcome',
    at: T0,
    ...parts,
  };
}

/** The (messageId, placement) of each exposure of a page, in order. */
const ids = (page: { exposures: ExposureRow[] }) =>
  page.exposures.map((row) => `${row.messageId}/${row.placement}`);

/**
 * The exposure log's contract: exposures appended once per (workspace, decision, placement),
 * read back newest first by profile (with what was shown before the profile was known) and by
 * placement, paged, workspaces apart, and erased with the person. Every adapter runs it (see
 * `store-contract.ts`), on a fresh, empty store from `open` for each test.
 */
export function exposureLogContract(open: OpenStore): void {
  describe('exposure log', () => {
    let store: Store;
    freshStoreEach(open, (opened) => {
      store = opened;
    });

    it('appends exposures once per decision and placement, and reads them back as written', async () => {
      const rows = [
        exposure({ messageId: 'd1', userId: 'u1', anonymousId: 'anon-1' }),
        exposure({ messageId: 'd1', placement: 'footer', variant: 'plain', at: T0 + 1 }),
      ];
      expect(await store.appendExposures(rows)).toBe(2);
      expect(await store.appendExposures([...rows, exposure({ messageId: 'd2' })])).toBe(1);
      expect(await store.appendExposures([])).toBe(0);
      const page = await store.exposuresByProfile({ workspaceId: 'a', profileId: 'p1', limit: 10 });
      expect(ids(page)).toEqual(['d2/hero', 'd1/footer', 'd1/hero']);
      expect(page.nextBefore).toBeUndefined();
      const [, , first] = page.exposures;
      expect(first).toEqual({ ...rows[0], seq: first?.seq });
      expect(typeof first?.seq).toBe('number');
    });

    it('pages a profile and a placement newest first', async () => {
      await store.appendExposures(
        ['d1', 'd2', 'd3', 'd4', 'd5'].map((messageId, n) => exposure({ messageId, at: T0 + n })),
      );
      await store.appendExposures([exposure({ messageId: 'd6', placement: 'footer' })]);
      const first = await store.exposuresByPlacement({ workspaceId: 'a', placement: 'hero', limit: 2 });
      expect(ids(first)).toEqual(['d5/hero', 'd4/hero']);
      const second = await store.exposuresByPlacement({
        workspaceId: 'a',
        placement: 'hero',
        limit: 2,
        before: first.nextBefore,
      });
      expect(ids(second)).toEqual(['d3/hero', 'd2/hero']);
      const last = await store.exposuresByPlacement({
        workspaceId: 'a',
        placement: 'hero',
        limit: 2,
        before: second.nextBefore,
      });
      expect(ids(last)).toEqual(['d1/hero']);
      expect(last.nextBefore).toBeUndefined();
      const exact = await store.exposuresByProfile({ workspaceId: 'a', profileId: 'p1', limit: 6 });
      expect(exact.exposures).toHaveLength(6);
      expect(exact.nextBefore).toBeUndefined();
    });

    it('finds what was shown to a profile under ids merged into it or before it was known', async () => {
      await store.appendExposures([
        exposure({ messageId: 'd1', profileId: null, anonymousId: 'anon-1' }),
        exposure({ messageId: 'd2', profileId: 'p0' }),
        exposure({ messageId: 'd3', profileId: null, userId: 'ada' }),
        exposure({ messageId: 'd4', profileId: null, anonymousId: 'someone-else' }),
        exposure({ messageId: 'd5', profileId: 'p1', userId: 'ada' }),
      ]);
      await store.commitView(
        commit({
          checkpoint: 0,
          profiles: [profile('a', 'p1')],
          identifiers: [
            { workspaceId: 'a', key: 'anonymous_id:anon-1', profileId: 'p1' },
            { workspaceId: 'a', key: 'user_id:ada', profileId: 'p1' },
            { workspaceId: 'a', key: 'anonymous_id:someone-else', profileId: 'p2' },
          ],
          merges: [merge('a', 'p0', 'p1', 1)],
          deletedProfiles: [{ workspaceId: 'a', id: 'p0' }],
        }),
      );
      const page = await store.exposuresByProfile({ workspaceId: 'a', profileId: 'p1', limit: 10 });
      expect(ids(page)).toEqual(['d5/hero', 'd3/hero', 'd2/hero', 'd1/hero']);
    });

    it('keeps workspaces apart', async () => {
      await store.appendExposures([
        exposure({ messageId: 'd1', anonymousId: 'anon-1' }),
        exposure({ messageId: 'd1', workspaceId: 'b', variant: 'other' }),
      ]);
      await store.commitView(
        commit({
          checkpoint: 0,
          identifiers: [{ workspaceId: 'b', key: 'anonymous_id:anon-1', profileId: 'q' }],
        }),
      );
      const inB = await store.exposuresByPlacement({ workspaceId: 'b', placement: 'hero', limit: 10 });
      expect(inB.exposures.map((row) => row.variant)).toEqual(['other']);
      expect(
        (await store.exposuresByProfile({ workspaceId: 'b', profileId: 'q', limit: 10 })).exposures,
      ).toEqual([]);
      expect(
        (await store.exposuresByProfile({ workspaceId: 'c', profileId: 'p1', limit: 10 })).exposures,
      ).toEqual([]);
    });

    it("erases a person's exposures, those recorded before the profile was known included", async () => {
      await store.appendExposures([
        exposure({ messageId: 'd1', profileId: null, anonymousId: 'anon-1' }),
        exposure({ messageId: 'd2', profileId: 'p1' }),
        exposure({ messageId: 'd3', profileId: 'p0' }),
        exposure({ messageId: 'd4', profileId: 'keep', anonymousId: 'anon-2' }),
        exposure({ messageId: 'd5', workspaceId: 'b', profileId: 'p1' }),
      ]);
      await store.commitView(
        commit({
          checkpoint: 0,
          profiles: [profile('a', 'p1'), profile('a', 'keep')],
          identifiers: [
            { workspaceId: 'a', key: 'anonymous_id:anon-1', profileId: 'p1' },
            { workspaceId: 'a', key: 'anonymous_id:anon-2', profileId: 'keep' },
          ],
          merges: [merge('a', 'p0', 'p1', 1)],
          deletedProfiles: [{ workspaceId: 'a', id: 'p0' }],
        }),
      );
      const audit = { workspaceId: 'a', action: 'profile.erased', detail: { profileId: 'p1' }, at: T0 };
      await store.eraseProfiles('a', ['p1'], audit);
      const hero = await store.exposuresByPlacement({ workspaceId: 'a', placement: 'hero', limit: 10 });
      expect(ids(hero)).toEqual(['d4/hero']);
      expect(
        ids(await store.exposuresByPlacement({ workspaceId: 'b', placement: 'hero', limit: 10 })),
      ).toEqual(['d5/hero']);
    });
  });
}
