import type { NetworkPolicy } from '../activate/outbound/network-policy.ts';
import { TailorError } from '../errors.ts';
import { parseWorkspaceDocument, parseWorkspaceYaml } from '../workspace/load-workspace.ts';
import type { WorkspaceDefinition } from '../workspace/workspace.ts';

/**
 * A workspace body (`{ yaml }` as the YAML parser of the workspace routes gives it, or the
 * document as JSON) as a validated definition of the admin key's workspace, with the text to
 * keep as its version: the YAML as sent, or the JSON document laid out.
 */
export function readWorkspaceBody(
  body: unknown,
  options: { workspaceId: string; network: NetworkPolicy | undefined },
): { definition: WorkspaceDefinition; text: string } {
  const { workspaceId, network } = options;
  const yaml =
    typeof body === 'object' && body !== null && 'yaml' in body && typeof body.yaml === 'string'
      ? body.yaml
      : undefined;
  const definition =
    yaml === undefined
      ? parseWorkspaceDocument(body, { network })
      : parseWorkspaceYaml({ text: yaml, fileName: 'request body', network });
  if (definition.id !== workspaceId) {
    throw new TailorError(
      'INVALID_WORKSPACE',
      `This admin key manages workspace \`${workspaceId}\`, not \`${definition.id}\``,
      [{ path: 'workspace.id', message: `must be \`${workspaceId}\`` }],
    );
  }
  return { definition, text: yaml ?? JSON.stringify(body, null, 2) };
}
