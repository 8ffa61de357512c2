import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { NetworkPolicy } from '../../activate/outbound/network-policy.ts';
import type { Engine } from '../../engine/engine.ts';
import { TailorError } from '../../errors.ts';
import { definitionChanges } from '../../workspace/definition-changes.ts';
import { MAX_WORKSPACE_BYTES } from '../../workspace/load-workspace.ts';
import { redactDefinition } from '../../workspace/redact-workspace.ts';
import { adminGrant, adminWorkspace } from '../admin-auth.ts';
import { replyWithError } from '../error-reply.ts';
import type { KeyRing } from '../key-ring.ts';
import { ErrorSchema } from '../schemas.ts';
import { readWorkspaceBody } from '../workspace-body.ts';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];

/**
 * The admin workspace API: read the definition, replace it (YAML as in `tailor.yaml`, or the
 * same document as JSON) — which re-computes every profile from the log — follow that
 * rebuild, and read the audit log. Answers show channel secrets redacted; a new definition's
 * channel URLs are judged under `network`, the deployment's policy (strict unless given).
 */
export async function workspaceRoutes(
  app: FastifyInstance,
  options: { engine: Engine; keys: KeyRing; network?: NetworkPolicy },
): Promise<void> {
  const { engine, keys, network } = options;
  const security = [{ adminKey: [] }];
  // YAML is read as YAML; any other type but JSON too, since YAML holds JSON (curl's default
  // form type with `--data-binary @tailor.yaml` is the common case).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );
  app.addContentTypeParser([...YAML_TYPES, '*'], { parseAs: 'string' }, (_request, body, done) =>
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
        definition: redactDefinition(compiled.definition),
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
        response: { 400: ErrorSchema, 413: ErrorSchema },
      },
      bodyLimit: MAX_WORKSPACE_BYTES,
      errorHandler: (error, request, reply) => {
        const tooLarge = 'code' in error && error.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
        const limit = `over the ${MAX_WORKSPACE_BYTES / 1024} KiB a workspace may hold`;
        replyWithError(
          tooLarge ? new TailorError('WORKSPACE_TOO_LARGE', `The body is ${limit}`) : error,
          request,
          reply,
        );
      },
    },
    async (request) => {
      const { workspaceId, keyId } = await adminGrant(request, keys, engine.clock());
      const { definition, text } = readWorkspaceBody(request.body, { workspaceId, network });
      const started = Date.now();
      const compiled = await engine.applyWorkspace(definition, {
        source: { origin: 'api', keyId, text, at: engine.clock() },
      });
      return { id: workspaceId, version: compiled.version, rebuilt_in_ms: Date.now() - started };
    },
  );

  app.post(
    '/v1/workspace/dry-run',
    {
      schema: {
        tags: ['workspace'],
        summary:
          'Validate a workspace definition (YAML or JSON) and list what applying it would change, without applying it',
        description:
          'Answers `{ valid: true, version, changes: [{ path, change }] }` (paths only, no values: a definition may hold ' +
          'secrets), or 400 `INVALID_WORKSPACE` with each problem, at `file:line:column` for YAML.',
        security,
        response: { 400: ErrorSchema, 413: ErrorSchema },
      },
      bodyLimit: MAX_WORKSPACE_BYTES,
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const { definition } = readWorkspaceBody(request.body, { workspaceId, network });
      const current = engine.workspace(workspaceId);
      if (current === undefined) throw new TailorError('NOT_FOUND');
      return {
        valid: true,
        version: current.version,
        changes: definitionChanges(current.definition, definition),
      };
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
      const entries = await engine.audit.auditLog(workspaceId, limit ?? 100);
      return { entries: entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })) };
    },
  );
}
