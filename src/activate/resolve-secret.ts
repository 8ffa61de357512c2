import { TailorError } from '../errors.ts';
import type { SecretRef } from './channels-def.ts';

/**
 * The value of a secret reference: `${NAME}` reads the environment variable NAME (an error
 * naming the variable when it is not set); anything else is the value itself.
 */
export function resolveSecret(ref: SecretRef, env: NodeJS.ProcessEnv, field: string): string {
  const match = /^\$\{([A-Z_][A-Z0-9_]*)\}$/.exec(ref);
  if (match === null) return ref;
  const name = match[1] ?? '';
  const value = env[name];
  if (value === undefined || value === '')
    throw new TailorError(
      'INVALID_WORKSPACE',
      `${field} reads the environment variable ${name}, which is not set`,
      [{ path: field, message: `set ${name} in the environment Tailor runs in` }],
    );
  return value;
}
