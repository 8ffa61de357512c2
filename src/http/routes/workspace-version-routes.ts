import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { NetworkPolicy } from '../../activate/outbound/network-policy.ts';
import type { Engine } from '../../engine/engine.ts';
import { TailorError } from '../../errors.ts';
import type { WorkspaceVersion } from '../../store/ports/workspace-store.ts';
import { definitionChanges } from '../../workspace/definition-changes.ts';
import { literalSecrets, redactDefinition, redactWorkspaceText } from '../../workspace/redact-workspace.ts';
import type { WorkspaceDefinition } from '../../workspace/workspace.ts';
import { adminGrant, adminWorkspace } from '../admin-auth.ts';
import type { KeyRing } from '../key-ring.ts';
import { ErrorSchema } from '../schemas.ts';
import { readWorkspaceBody } from '../workspace-body.ts';

const VersionParams = Type.Object({ version: Type.Integer({ minimum: 1 }) });

const SUMMARY_FIELDS = {
  version: Type.Integer(),
  at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'When it was saved; null for a version saved before versions were kept',
  }),
  origin: Type.Union(
    ['file', 'api', 'segments', 'rollback', 'created', 'unknown'].map((origin) => Type.Literal(origin)),
    {
      description:
        '`file` the workspace file at start, `api` PUT /v1/workspace (tailor apply, the console), `segments` the ' +
        'segments API, `rollback` an earlier version applied again, `created` the operator API, `unknown` before ' +
        'versions were kept',
    },
  ),
  key_id: Type.Union([Type.String(), Type.Null()], {
    description: 'The public id of the admin key that made it',
  }),
  restored_from: Type.Union([Type.Integer(), Type.Null()], {
    description: 'For a rollback, the version applied again',
  }),
  sha256: Type.Union([Type.String(), Type.Null()], {
    description:
      'SHA-256 (hex) of the file as shown (secrets written literally redacted): for a file whose secrets are all ' +
      '`TAILOR_SECRET_…` references, the `sha256sum` of the file. Null when the version came without a file',
  }),
  current: Type.Boolean({ description: 'Whether it is the version in force' }),
};

const VersionSummarySchema = Type.Object(SUMMARY_FIELDS);

const VersionSchema = Type.Object({
  ...SUMMARY_FIELDS,
  text: Type.Union([Type.String(), Type.Null()], {
    description: 'The file as applied, secrets written literally shown as "[redacted]"; null without a file',
  }),
  definition: Type.Unknown({
    description: 'The definition it gave, secrets redacted as in GET /v1/workspace',
  }),
});

/**
 * The workspace's version history: every definition applied is kept with who (the admin key's
 * id), when, where from and the file as written. Versions are listed and read with their
 * secrets redacted (the stored file keeps them, so an earlier version can be applied again),
 * checked against the definition in force, and applied again (a rollback, itself a new version).
 */
export async function workspaceVersionRoutes(
  app: FastifyInstance,
  options: { engine: Engine; keys: KeyRing; network?: NetworkPolicy },
): Promise<void> {
  const { engine, keys, network } = options;
  const security = [{ adminKey: [] }];
  const tags = ['workspace'];

  app.get(
    '/v1/workspace/versions',
    {
      schema: {
        tags,
        summary: 'The versions of the workspace definition, newest first',
        security,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          before: Type.Optional(
            Type.Integer({ minimum: 1, description: '`next_before` of the previous page' }),
          ),
        }),
        response: {
          200: Type.Object({
            versions: Type.Array(VersionSummarySchema),
            next_before: Type.Union([Type.Integer(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const { limit = 50, before } = request.query as { limit?: number; before?: number };
      const page = await engine.versions.workspaceVersions({
        workspaceId,
        limit: limit + 1,
        ...(before === undefined ? {} : { before }),
      });
      const current = inForce(workspaceId).version;
      const versions = page.slice(0, limit).map((version) => summary(version, current));
      return { versions, next_before: page.length > limit ? (versions.at(-1)?.version ?? null) : null };
    },
  );

  app.get(
    '/v1/workspace/versions/:version',
    {
      schema: {
        tags,
        summary: 'One version of the workspace definition: the file as applied, secrets redacted',
        security,
        params: VersionParams,
        response: { 200: VersionSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const version = await kept(workspaceId, (request.params as { version: number }).version);
      return {
        ...summary(version, inForce(workspaceId).version),
        text: shownText(version),
        definition: redactDefinition(version.definition),
      };
    },
  );

  app.post(
    '/v1/workspace/versions/:version/dry-run',
    {
      schema: {
        tags,
        summary: 'What applying an earlier version again would change, without applying it',
        description:
          'The version is checked again as a new file would be (under the rules of now), and answered like ' +
          '`POST /v1/workspace/dry-run`.',
        security,
        params: VersionParams,
        response: { 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      const version = await kept(workspaceId, (request.params as { version: number }).version);
      const current = inForce(workspaceId);
      const { definition } = checkedAgain(version, workspaceId);
      return {
        valid: true,
        version: current.version,
        changes: definitionChanges(current.definition, definition),
      };
    },
  );

  app.post(
    '/v1/workspace/versions/:version/apply',
    {
      schema: {
        tags,
        summary: 'Apply an earlier version again (a rollback) and re-compute profiles',
        description:
          'Answers like `PUT /v1/workspace`: the definition becomes a new version (origin `rollback`), unless it ' +
          'is the one in force already.',
        security,
        params: VersionParams,
        response: { 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const { workspaceId, keyId } = await adminGrant(request, keys, engine.clock());
      const version = await kept(workspaceId, (request.params as { version: number }).version);
      const { definition, text } = checkedAgain(version, workspaceId);
      const started = Date.now();
      const compiled = await engine.applyWorkspace(definition, {
        source: { origin: 'rollback', keyId, text, at: engine.clock(), restoredFrom: version.version },
      });
      return { id: workspaceId, version: compiled.version, rebuilt_in_ms: Date.now() - started };
    },
  );

  function inForce(workspaceId: string): { version: number; definition: WorkspaceDefinition } {
    const compiled = engine.workspace(workspaceId);
    if (compiled === undefined) throw new TailorError('NOT_FOUND');
    return compiled;
  }

  async function kept(workspaceId: string, number: number): Promise<WorkspaceVersion> {
    const version = await engine.versions.workspaceVersion(workspaceId, number);
    if (version === undefined)
      throw new TailorError('VERSION_NOT_FOUND', `Workspace \`${workspaceId}\` has no version ${number}`);
    return version;
  }

  /**
   * A version as it would be applied now: its file parsed and validated again (channel URLs
   * under the policy of now); a version without a file gives its stored definition.
   */
  function checkedAgain(
    version: WorkspaceVersion,
    workspaceId: string,
  ): { definition: WorkspaceDefinition; text: string | null } {
    if (version.text === null) return { definition: version.definition, text: null };
    return readWorkspaceBody({ yaml: version.text }, { workspaceId, network });
  }
}

/** The file of a version as an answer may show it. */
function shownText(version: WorkspaceVersion): string | null {
  return version.text === null ? null : redactWorkspaceText(version.text, literalSecrets(version.definition));
}

function summary(version: WorkspaceVersion, current: number) {
  const text = shownText(version);
  return {
    version: version.version,
    at: version.at === null ? null : new Date(version.at).toISOString(),
    origin: version.origin,
    key_id: version.keyId,
    restored_from: version.restoredFrom ?? null,
    sha256: text === null ? null : createHash('sha256').update(text).digest('hex'),
    current: version.version === current,
  };
}
