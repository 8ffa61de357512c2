import { describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/store.ts';
import { freshStoreEach, type OpenStore, T0, workspace } from './store-fixtures.ts';

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

    it('keeps every version with its source, newest first, and none for an unchanged definition', async () => {
      await store.saveWorkspace(workspace('shop'), {
        origin: 'file',
        keyId: null,
        text: 'workspace:\n  id: shop\n',
        at: T0,
      });
      await store.saveWorkspace(workspace('shop'), {
        origin: 'api',
        keyId: 'key_1',
        text: 'same',
        at: T0 + 1,
      });
      await store.saveWorkspace(workspace('shop', 'Renamed'), {
        origin: 'api',
        keyId: 'key_1',
        text: '{ "workspace": { "id": "shop" } }',
        at: T0 + 2,
      });
      await store.saveWorkspace(workspace('shop'), {
        origin: 'rollback',
        keyId: 'key_2',
        text: 'workspace:\n  id: shop\n',
        at: T0 + 3,
        restoredFrom: 1,
      });
      await store.saveWorkspace(workspace('blog'));
      const versions = await store.workspaceVersions({ workspaceId: 'shop', limit: 10 });
      expect(versions.map((v) => [v.version, v.origin, v.keyId, v.at, v.restoredFrom])).toEqual([
        [3, 'rollback', 'key_2', T0 + 3, 1],
        [2, 'api', 'key_1', T0 + 2, undefined],
        [1, 'file', null, T0, undefined],
      ]);
      expect(await store.workspaceVersions({ workspaceId: 'shop', before: 3, limit: 1 })).toEqual([
        {
          workspaceId: 'shop',
          version: 2,
          definition: workspace('shop', 'Renamed'),
          text: '{ "workspace": { "id": "shop" } }',
          origin: 'api',
          keyId: 'key_1',
          at: T0 + 2,
        },
      ]);
      expect((await store.workspaceVersion('shop', 1))?.text).toBe('workspace:\n  id: shop\n');
      expect(await store.workspaceVersion('shop', 9)).toBeUndefined();
      const blog = await store.workspaceVersion('blog', 1);
      expect(blog).toMatchObject({
        origin: 'unknown',
        keyId: null,
        text: null,
        definition: workspace('blog'),
      });
      expect(await store.workspaceVersion('blog', 1).then((v) => typeof v?.at)).toBe('number');
    });
  });
}
