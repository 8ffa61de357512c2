import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { generateKey, hashKey, keyHint } from '../../engine/api-keys.ts';
import type { Engine } from '../../engine/engine.ts';
import { TailorError } from '../../errors.ts';
import type { ApiKeyRecord, KeyKind } from '../../store/ports/key-store.ts';
import { adminWorkspace } from '../admin-auth.ts';
import type { KeyRing } from '../key-ring.ts';
import { ErrorSchema } from '../schemas.ts';

const MAX_NAME_LENGTH = 100;

const time = (description: string) =>
  Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description });

/** A key as lists show it: never its material, only a hint. */
const KeySchema = Type.Object({
  id: Type.String({ description: 'Public id (`key_…`), for revocation' }),
  kind: Type.Union([Type.Literal('write'), Type.Literal('admin')]),
  source: Type.Union([Type.Literal('env'), Type.Literal('generated'), Type.Literal('api')], {
    description:
      '`env`: given at start (replaced by the next start with other keys); `generated`: made at a first start; `api`: created here',
  }),
  name: Type.Union([Type.String(), Type.Null()]),
  hint: Type.String({ description: 'Kind prefix and last 4 characters, e.g. `wk_…abcd`' }),
  created_at: Type.String({ format: 'date-time' }),
  last_used_at: time(
    'Last authenticated use; written at most once a minute per key, so up to a minute behind',
  ),
  revoked_at: time('When it was revoked; null while it works'),
});

/** A created key: the key itself, shown this once, with what lists show of it. */
const CreatedKeySchema = Type.Object({
  key: Type.String({ description: 'The key: store it now, it is never shown again' }),
  ...KeySchema.properties,
});

const CreateKeyBody = Type.Object({
  kind: Type.Union([Type.Literal('write'), Type.Literal('admin')]),
  name: Type.Optional(Type.String({ maxLength: MAX_NAME_LENGTH })),
});

const KeyParams = Type.Object({ id: Type.String() });

/** The request body is checked by the handler, so its faults get this API's own error code. */
const checkedByHandler = () => (data: unknown) => ({ value: data });

function iso(at: number | null): string | null {
  return at === null ? null : new Date(at).toISOString();
}

function keyView(key: ApiKeyRecord) {
  return {
    id: key.id,
    kind: key.kind,
    source: key.source,
    name: key.name,
    hint: key.hint,
    created_at: new Date(key.createdAt).toISOString(),
    last_used_at: iso(key.lastUsedAt),
    revoked_at: iso(key.revokedAt),
  };
}

function readCreateBody(body: unknown): { kind: KeyKind; name: string | null } {
  if (typeof body !== 'object' || body === null || !('kind' in body))
    throw new TailorError('INVALID_KEY_REQUEST', undefined, [{ path: 'kind', message: 'is required' }]);
  const { kind } = body;
  if (kind !== 'write' && kind !== 'admin')
    throw new TailorError('INVALID_KEY_REQUEST', undefined, [
      { path: 'kind', message: 'must be "write" or "admin"' },
    ]);
  const name = 'name' in body ? body.name : undefined;
  if (name === undefined || name === null) return { kind, name: null };
  if (typeof name !== 'string' || name.length > MAX_NAME_LENGTH)
    throw new TailorError('INVALID_KEY_REQUEST', undefined, [
      { path: 'name', message: `must be a string of at most ${MAX_NAME_LENGTH} characters` },
    ]);
  return { kind, name };
}

/**
 * The workspace's API keys through the admin API: list (ids, origin, hints and times, never the
 * keys), create (the key is in this one answer only; Tailor keeps its hash), and revoke, which
 * holds for this server before the answer (the key ring forgets the key) and for other nodes
 * sharing the store within `KeyRing.KNOWN_TTL_MS`. The last admin key cannot be revoked.
 */
export async function keyRoutes(
  app: FastifyInstance,
  options: { engine: Engine; keys: KeyRing },
): Promise<void> {
  const { engine, keys } = options;
  const security = [{ adminKey: [] }];
  const tags = ['keys'];

  app.get(
    '/v1/keys',
    {
      schema: {
        tags,
        summary: "The workspace's keys, revoked ones included, oldest first; never their material",
        security,
        response: { 200: Type.Object({ keys: Type.Array(KeySchema) }) },
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      return { keys: (await engine.keys.listKeys(workspaceId)).map(keyView) };
    },
  );

  app.post(
    '/v1/keys',
    {
      schema: {
        tags,
        summary: 'Create a write or admin key; the answer is the only place the key is ever shown',
        security,
        body: CreateKeyBody,
        response: {
          201: CreatedKeySchema,
          400: ErrorSchema,
        },
      },
      validatorCompiler: checkedByHandler,
    },
    async (request, reply) => {
      const now = engine.clock();
      const workspaceId = await adminWorkspace(request, keys, now);
      const { kind, name } = readCreateBody(request.body);
      const key = generateKey(kind);
      const record = await engine.keys.addKey({
        workspaceId,
        kind,
        hash: hashKey(key),
        source: 'api',
        name,
        hint: keyHint(key),
        createdAt: now,
      });
      return reply.status(201).send({ key, ...keyView(record) });
    },
  );

  app.delete(
    '/v1/keys/:id',
    {
      schema: {
        tags,
        summary: 'Revoke a key, at once; revoking a revoked key answers it as it is',
        description: "Refused (409 LAST_ADMIN_KEY) for the workspace's last admin key.",
        security,
        params: KeyParams,
        response: { 200: KeySchema, 404: ErrorSchema, 409: ErrorSchema },
      },
    },
    async (request) => {
      const now = engine.clock();
      const workspaceId = await adminWorkspace(request, keys, now);
      const { id } = request.params as { id: string };
      const outcome = await engine.keys.revokeKey({ workspaceId, id, at: now, keepLastAdmin: true });
      switch (outcome.kind) {
        case 'not_found':
          throw new TailorError('KEY_NOT_FOUND');
        case 'last_admin':
          throw new TailorError('LAST_ADMIN_KEY');
        case 'revoked':
          keys.forget(id);
          return keyView(outcome.key);
      }
    },
  );
}
