import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Engine } from '../../engine/engine.ts';
import { TailorError } from '../../errors.ts';
import { parseWorkspaceDocument, parseWorkspaceYaml } from '../../workspace/load-workspace.ts';
import { adminWorkspace } from '../admin-auth.ts';
import type { KeyRing } from '../key-ring.ts';
import { ErrorSchema } from '../schemas.ts';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];

/**
 * The admin workspace API: read the definition, replace it (YAML as in `tailor.yaml`, or the
 * same document as JSON) — which re-computes every profile from the log — follow that
 * rebuild, and read the audit log.
 */
export async function workspaceRoutes(
  app: FastifyInstance,
  options: { engine: Engine; keys: KeyRing },
): Promise<void> {
  const { engine, keys } = options;
  const security = [{ adminKey: [] }];
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_request, body, done) =>
    done(null, { yaml: body }),
  );

  app.get(
    '/v1/workspace',
    { schema: { tags: ['workspace'], summary: 'The workspace definition and its version', security } },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const compiled = engine.workspace(workspaceId);
      if (compiled === undefined) throw new TailorError('NOT_FOUND');
      const rebuild = engine.rebuildProgress(workspaceId);
      return {
        id: workspaceId,
        version: compiled.version,
        definition: compiled.definition,
        rebuild: rebuild ?? null,
      };
    },
  );

  app.put(
    '/v1/workspace',
    {
      schema: {
        tags: ['workspace'],
        summary: 'Replace the workspace definition (YAML or JSON) and re-compute profiles',
        description:
          'Validated like `tailor apply`. Answers once every profile of the workspace has been rebuilt from ' +
          'the event log; follow progress with `GET /v1/workspace`.',
        security,
        response: { 400: ErrorSchema },
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const body: unknown = request.body;
      const definition =
        typeof body === 'object' && body !== null && 'yaml' in body && typeof body.yaml === 'string'
          ? parseWorkspaceYaml({ text: body.yaml, fileName: 'request body' })
          : parseWorkspaceDocument(body);
      if (definition.id !== workspaceId) {
        throw new TailorError(
          'INVALID_WORKSPACE',
          `This admin key manages workspace \`${workspaceId}\`, not \`${definition.id}\``,
          [{ path: 'workspace.id', message: `must be \`${workspaceId}\`` }],
        );
      }
      const started = Date.now();
      const compiled = await engine.applyWorkspace(definition);
      return { id: workspaceId, version: compiled.version, rebuilt_in_ms: Date.now() - started };
    },
  );

  app.get(
    '/v1/audit',
    {
      schema: {
        tags: ['workspace'],
        summary: 'The audit log (erasures and other privileged actions), newest first',
        security,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        }),
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const { limit } = request.query as { limit?: number };
      const entries = await engine.store.auditLog(workspaceId, limit ?? 100);
      return { entries: entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })) };
    },
  );
}
