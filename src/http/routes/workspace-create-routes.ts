import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { NetworkPolicy } from '../../activate/outbound/network-policy.ts';
import { generateKey, hashKey, keyHint } from '../../engine/api-keys.ts';
import type { Engine } from '../../engine/engine.ts';
import { TailorError } from '../../errors.ts';
import type { KeyKind } from '../../store/ports/key-store.ts';
import { parseWorkspaceDocument } from '../../workspace/load-workspace.ts';
import { operatorGuard } from '../operator-key.ts';
import { ErrorSchema } from '../schemas.ts';

const CreatedWorkspaceSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  version: Type.Integer(),
  write_key: Type.String({ description: 'The workspace write key: store it now, it is never shown again' }),
  admin_key: Type.String({ description: 'The workspace admin key: store it now, it is never shown again' }),
});

/** The request body is checked by the handler, so its faults get this API's own error code. */
const checkedByHandler = () => (data: unknown) => ({ value: data });

/** The id and name a creation asks for; the id is checked with the workspace file's rules. */
function readCreateBody(body: unknown): { id: unknown; name: unknown } {
  if (typeof body !== 'object' || body === null || !('id' in body))
    throw new TailorError('INVALID_WORKSPACE', 'A new workspace needs an `id`', [
      { path: 'id', message: 'is required' },
    ]);
  return { id: body.id, name: 'name' in body ? body.name : undefined };
}

/**
 * `POST /v1/workspaces`: creates an empty workspace (add its definitions with
 * `PUT /v1/workspace` or `tailor apply`) with a write key and an admin key, shown in this one
 * answer only. It takes the server's operator key (`TAILOR_OPERATOR_KEY`), not an admin key:
 * an admin key manages its own workspace and can never reach another, as with Segment's and
 * Braze's workspace-scoped keys. Without an operator key configured, nobody can call it.
 */
export async function workspaceCreateRoutes(
  app: FastifyInstance,
  options: { engine: Engine; operatorKey: string | undefined; network?: NetworkPolicy },
): Promise<void> {
  const { engine, network } = options;
  // Creations run one at a time, so two requests for one id cannot both find it free.
  let creating: Promise<unknown> = Promise.resolve();
  const authorize = operatorGuard(options.operatorKey);

  app.post(
    '/v1/workspaces',
    {
      schema: {
        tags: ['workspace'],
        summary: 'Create a workspace with its keys (operator key); the keys are shown in this answer only',
        security: [{ operatorKey: [] }],
        body: Type.Object({
          id: Type.String({
            description: 'Lowercase letters, digits, `-` and `_`, as `workspace.id` in a workspace file',
          }),
          name: Type.Optional(Type.String()),
        }),
        response: { 201: CreatedWorkspaceSchema, 400: ErrorSchema, 401: ErrorSchema, 409: ErrorSchema },
      },
      validatorCompiler: checkedByHandler,
    },
    async (request, reply) => {
      authorize(request);
      const { id, name } = readCreateBody(request.body);
      const created = creating.then(() => create(id, name));
      creating = created.catch(() => undefined);
      return reply.status(201).send(await created);
    },
  );

  async function create(id: unknown, name: unknown) {
    const definition = parseWorkspaceDocument(
      { workspace: { id, name: name ?? id } },
      { ...(network === undefined ? {} : { network }) },
    );
    if (engine.workspace(definition.id) !== undefined)
      throw new TailorError('WORKSPACE_EXISTS', `A workspace has the id \`${definition.id}\` already`);
    const compiled = await engine.applyWorkspace(definition, {
      source: { origin: 'created', keyId: null, text: null, at: engine.clock() },
    });
    const now = engine.clock();
    const keyOf = async (kind: KeyKind): Promise<string> => {
      const key = generateKey(kind);
      await engine.keys.addKey({
        workspaceId: definition.id,
        kind,
        hash: hashKey(key),
        source: 'api',
        name: 'created with the workspace',
        hint: keyHint(key),
        createdAt: now,
      });
      return key;
    };
    const writeKey = await keyOf('write');
    const adminKey = await keyOf('admin');
    return {
      id: definition.id,
      name: definition.name,
      version: compiled.version,
      write_key: writeKey,
      admin_key: adminKey,
    };
  }
}
