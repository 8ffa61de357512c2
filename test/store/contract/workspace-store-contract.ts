import { describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/store.ts';
import { freshStoreEach, type OpenStore, workspace } from './store-fixtures.ts';

/**
 * The workspace store's contract: definitions saved and versioned. Every adapter runs it (see
 * `store-contract.ts`), on a fresh, empty store from `open` for each test; a test may use the
 * store's other ports to set up what it reads.
 */
export function workspaceStoreContract(open: OpenStore): void {
  describe('workspaces', () => {
    let store: Store;
    freshStoreEach(open, (opened) => {
      store = opened;
    });

    it('versions a workspace definition when it changes', async () => {
      expect(await store.getWorkspace('shop')).toBeUndefined();
      expect(await store.saveWorkspace(workspace('shop'))).toEqual({
        id: 'shop',
        definition: workspace('shop'),
        version: 1,
        viewVersion: 0,
      });
      expect((await store.saveWorkspace(workspace('shop'))).version).toBe(1);
      expect((await store.saveWorkspace(workspace('shop', 'Renamed'))).version).toBe(2);
      await store.saveWorkspace(workspace('blog'));
      expect(await store.getWorkspace('shop')).toEqual({
        id: 'shop',
        definition: workspace('shop', 'Renamed'),
        version: 2,
        viewVersion: 0,
      });
      expect((await store.listWorkspaces()).map((w) => [w.id, w.version])).toEqual([
        ['blog', 1],
        ['shop', 2],
      ]);
    });
  });
}
