import { TailorError } from '../errors.ts';
import type { SecretRef } from './channels-def.ts';

/**
 * The prefix of the environment variables a workspace may read. The workspace file is in an
 * admin key's hands and its URLs choose where secrets are sent, so it may not read the rest of
 * Tailor's environment (database URLs, cloud credentials, `PATH`).
 */
export const SECRET_ENV_PREFIX = 'TAILOR_SECRET_';

/**
 * What an API answer shows in place of a secret written literally in the workspace file; a
 * definition that gives it as a secret is refused, as it was copied from such an answer.
 */
export const REDACTED = '[redacted]';

/** What is wrong with a secret given as `[redacted]`, copied from an API answer; undefined for any other value. */
export function redactedSecretProblem(value: string, example: string): string | undefined {
  if (value !== REDACTED) return undefined;
  return `\`${REDACTED}\` is how Tailor shows a secret it hides, not the secret: write the secret, or \`${example}\``;
}

/** `${NAME}` alone, NAME of capitals, digits and _, not starting with a digit. */
const SECRET_REFERENCE = /^\$\{([A-Z_][A-Z0-9_]*)\}$/;

/** The variable a `${NAME}` reference reads, or undefined when the value is not a reference. */
export function secretReferenceName(value: string): string | undefined {
  return SECRET_REFERENCE.exec(value)?.[1];
}

/**
 * What is wrong with a secret field's value as written, judged without the environment: a
 * malformed reference (`${smtp_password}`, `pre${X}`), or a reference to a variable without
 * the `TAILOR_SECRET_` prefix, with the name to rename it to. `example` is the reference to
 * suggest (`${TAILOR_SECRET_SMTP_PASSWORD}`). Undefined for a well-formed reference or a
 * literal value (whether a literal is allowed is the caller's rule).
 */
export function secretReferenceProblem(value: string, example: string): string | undefined {
  const name = secretReferenceName(value);
  if (name === undefined) {
    if (!value.includes('${')) return undefined;
    return `not a valid environment variable reference: write \`\${NAME}\` alone, NAME being capitals, digits and _ starting with ${SECRET_ENV_PREFIX}, like \`${example}\``;
  }
  if (name.startsWith(SECRET_ENV_PREFIX) && name.length > SECRET_ENV_PREFIX.length) return undefined;
  const renamed = `${SECRET_ENV_PREFIX}${name.replace(/^TAILOR_(SECRET_)?/, '') || 'NAME'}`;
  return `\`\${${name}}\` reads an environment variable without the ${SECRET_ENV_PREFIX} prefix, which a workspace may not read: rename the variable to ${renamed} and write \`\${${renamed}}\``;
}

/**
 * The value of a secret reference: `${TAILOR_SECRET_NAME}` reads that environment variable (an
 * error naming it when it is not set); any other variable is refused, as the workspace applies
 * it too; anything that is not a reference is the value itself. `field` is the path of the
 * field reading the secret (`channels.sms.auth_token`, `identity.verification_secret`), used in
 * errors.
 */
export function resolveSecret(ref: SecretRef, env: NodeJS.ProcessEnv, field: string): string {
  const name = secretReferenceName(ref);
  if (name === undefined) return ref;
  const problem = secretReferenceProblem(ref, `\${${SECRET_ENV_PREFIX}NAME}`);
  if (problem !== undefined)
    throw new TailorError('INVALID_WORKSPACE', `${field} may not read the environment variable ${name}`, [
      { path: field, message: problem },
    ]);
  const value = env[name];
  if (value === undefined || value === '')
    throw new TailorError(
      'INVALID_WORKSPACE',
      `${field} reads the environment variable ${name}, which is not set`,
      [{ path: field, message: `set ${name} in the environment Tailor runs in` }],
    );
  return value;
}
