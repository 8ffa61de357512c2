import { describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/store.ts';
import { freshStoreEach, type OpenStore, T0 } from './store-fixtures.ts';

/**
 * The key store's contract: keys found by hash, listed with their origin, revoked at once, marked
 * used. Every adapter runs it (see `store-contract.ts`), on a fresh, empty store from `open` for
 * each test; a test may use the store's other ports to set up what it reads.
 */
export function keyStoreContract(open: OpenStore): void {
  describe('keys', () => {
    let store: Store;
    freshStoreEach(open, (opened) => {
      store = opened;
    });

    it('finds keys by hash; registering a hash again changes nothing', async () => {
      const h1 = await store.addKey({ workspaceId: 'shop', kind: 'write', hash: 'h1' });
      const h2 = await store.addKey({ workspaceId: 'shop', kind: 'admin', hash: 'h2' });
      expect(await store.addKey({ workspaceId: 'blog', kind: 'admin', hash: 'h1' })).toEqual(h1);
      expect(h1.id).toMatch(/^key_/);
      expect(h1.id).not.toBe(h2.id);
      expect(await store.findKey('h1')).toEqual({ id: h1.id, workspaceId: 'shop', kind: 'write' });
      expect(await store.findKey('h2')).toEqual({ id: h2.id, workspaceId: 'shop', kind: 'admin' });
      expect(await store.findKey('h3')).toBeUndefined();
    });

    it('lists a workspace keys with their origin, label, hint and times, oldest first', async () => {
      await store.addKey({
        workspaceId: 'shop',
        kind: 'admin',
        hash: 'h2',
        id: 'key_b',
        source: 'env',
        hint: 'ak_…abcd',
        createdAt: T0 + 1,
      });
      await store.addKey({
        workspaceId: 'shop',
        kind: 'write',
        hash: 'h1',
        id: 'key_a',
        source: 'api',
        name: 'web site',
        hint: 'wk_…wxyz',
        createdAt: T0,
      });
      await store.addKey({ workspaceId: 'blog', kind: 'write', hash: 'h3', createdAt: T0 });
      expect(await store.listKeys('shop')).toEqual([
        {
          id: 'key_a',
          workspaceId: 'shop',
          kind: 'write',
          source: 'api',
          name: 'web site',
          hint: 'wk_…wxyz',
          createdAt: T0,
          lastUsedAt: null,
          revokedAt: null,
        },
        {
          id: 'key_b',
          workspaceId: 'shop',
          kind: 'admin',
          source: 'env',
          name: null,
          hint: 'ak_…abcd',
          createdAt: T0 + 1,
          lastUsedAt: null,
          revokedAt: null,
        },
      ]);
      expect(await store.listKeys('none')).toEqual([]);
    });

    it('records last use, never going back', async () => {
      const key = await store.addKey({ workspaceId: 'shop', kind: 'write', hash: 'h1', createdAt: T0 });
      await store.touchKey(key.id, T0 + 60_000);
      await store.touchKey(key.id, T0 + 30_000);
      expect((await store.listKeys('shop'))[0]?.lastUsedAt).toBe(T0 + 60_000);
    });

    it('revokes a key at once, only in its workspace, and keeps it listed', async () => {
      const key = await store.addKey({ workspaceId: 'shop', kind: 'write', hash: 'h1', createdAt: T0 });
      expect(
        await store.revokeKey({ workspaceId: 'blog', id: key.id, at: T0 + 5, keepLastAdmin: true }),
      ).toEqual({
        kind: 'not_found',
      });
      const revoked = { ...key, revokedAt: T0 + 5 };
      expect(
        await store.revokeKey({ workspaceId: 'shop', id: key.id, at: T0 + 5, keepLastAdmin: true }),
      ).toEqual({
        kind: 'revoked',
        key: revoked,
      });
      expect(await store.findKey('h1')).toBeUndefined();
      expect(
        await store.revokeKey({ workspaceId: 'shop', id: key.id, at: T0 + 9, keepLastAdmin: true }),
      ).toEqual({
        kind: 'revoked',
        key: revoked,
      });
      await store.addKey({ workspaceId: 'shop', kind: 'write', hash: 'h1' });
      expect(await store.findKey('h1')).toBeUndefined();
      expect(await store.listKeys('shop')).toEqual([revoked]);
    });

    it('refuses to revoke the last admin key when asked to keep it', async () => {
      const a = await store.addKey({ workspaceId: 'shop', kind: 'admin', hash: 'h1', createdAt: T0 });
      const b = await store.addKey({ workspaceId: 'shop', kind: 'admin', hash: 'h2', createdAt: T0 });
      await store.addKey({ workspaceId: 'blog', kind: 'admin', hash: 'h3', createdAt: T0 });
      const revokeA = { workspaceId: 'shop', id: a.id, at: T0 + 1, keepLastAdmin: true };
      const revokeB = { workspaceId: 'shop', id: b.id, at: T0 + 1, keepLastAdmin: true };
      const both = await Promise.all([store.revokeKey(revokeA), store.revokeKey(revokeB)]);
      expect(both.map((outcome) => outcome.kind).sort()).toEqual(['last_admin', 'revoked']);
      expect((await store.listKeys('shop')).filter((key) => key.revokedAt === null)).toHaveLength(1);
      const last = both[0]?.kind === 'last_admin' ? revokeA : revokeB;
      expect((await store.revokeKey({ ...last, keepLastAdmin: false })).kind).toBe('revoked');
      expect(await store.findKey('h1')).toBeUndefined();
      expect(await store.findKey('h2')).toBeUndefined();
    });
  });
}
