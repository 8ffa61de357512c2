import { isJsonObject } from '../ingest/merge-objects.ts';
import type { FieldPathSegment, WorkspaceIssue } from './workspace-issue.ts';

/** Host names of a server on this machine (a local provider server), as `URL` writes them. */
export const LOCAL_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** A secret reference as `resolveSecret` reads it: `${NAME}` alone. */
const SECRET_REFERENCE = /^\$\{[A-Z_][A-Z0-9_]*\}$/;

/** Where one channel's URL fields are and which secrets each URL (or host) makes local or not. */
interface ChannelChecks {
  /** URL fields, each with its default when left out (undefined: the field is required). */
  urls: { field: string; fallback?: string }[];
  /** Secret fields, each with the field saying where the secret is used: a URL field, or `host`. */
  secrets: { field: string; usedAt: string }[];
}

const CHECKS: Readonly<Record<string, ChannelChecks>> = {
  email: {
    urls: [{ field: 'link_base_url' }],
    secrets: [
      { field: 'password', usedAt: 'host' },
      { field: 'link_secret', usedAt: 'link_base_url' },
    ],
  },
  whatsapp: {
    urls: [{ field: 'base_url', fallback: 'https://graph.facebook.com/v21.0' }],
    secrets: [
      { field: 'access_token', usedAt: 'base_url' },
      { field: 'app_secret', usedAt: 'base_url' },
      { field: 'verify_token', usedAt: 'base_url' },
    ],
  },
  sms: {
    urls: [{ field: 'base_url', fallback: 'https://api.twilio.com' }],
    secrets: [{ field: 'auth_token', usedAt: 'base_url' }],
  },
  webhook: { urls: [{ field: 'url' }], secrets: [{ field: 'secret', usedAt: 'url' }] },
};

/**
 * The checks of the `channels` section a schema cannot express: URLs parse and use `https:`
 * (`http:` only for a server on 127.0.0.1, localhost or ::1); a secret is a `${NAME}` reference
 * (NAME of capitals, digits and _) or, only for a local server, a literal value, since a literal
 * secret of a remote provider would sit in the file and the store; the SMS channel names a
 * sender (`from` or `messaging_service_sid`); an SMTP `user` comes with a `password`. Messages
 * never repeat a secret's value. Reads the section defensively: types are the schema's business.
 */
export function collectChannelIssues(channels: unknown): WorkspaceIssue[] {
  if (!isJsonObject(channels)) return [];
  const issues: WorkspaceIssue[] = [];
  for (const [channel, checks] of Object.entries(CHECKS)) {
    const section = channels[channel];
    if (!isJsonObject(section)) continue;
    const at: FieldPathSegment[] = ['channels', channel];
    const local = new Map<string, boolean | undefined>();
    for (const { field, fallback } of checks.urls) {
      const text = section[field] ?? fallback;
      local.set(field, typeof text === 'string' ? urlIsLocal([...at, field], text, issues) : undefined);
    }
    if (typeof section.host === 'string') local.set('host', LOCAL_HOSTS.has(section.host.toLowerCase()));
    for (const { field, usedAt } of checks.secrets) {
      secretIssue({ path: [...at, field], channel, value: section[field], local: local.get(usedAt), issues });
    }
  }
  const sms = channels.sms;
  if (isJsonObject(sms) && sms.from === undefined && sms.messaging_service_sid === undefined) {
    issues.push({
      path: ['channels', 'sms'],
      at: 'value',
      message:
        'the sms channel needs a sender: `from` (a number in E.164, like "+15005550006") or `messaging_service_sid`',
    });
  }
  const email = channels.email;
  if (isJsonObject(email) && email.user !== undefined && email.password === undefined) {
    issues.push({
      path: ['channels', 'email'],
      at: 'value',
      message: `an SMTP \`user\` needs a \`password\`, like password: \${SMTP_PASSWORD}; leave both out for no login`,
    });
  }
  return issues;
}

/**
 * Whether a URL field points at a local server; reports a URL that does not parse, is not
 * http(s), or is `http:` to a remote host (and then answers undefined, so its secrets are not
 * reported twice).
 */
function urlIsLocal(path: FieldPathSegment[], text: string, issues: WorkspaceIssue[]): boolean | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    issues.push({
      path,
      at: 'value',
      message: `\`${text}\` is not a URL: write it in full, with https:// and the host, like https://api.example.com`,
    });
    return undefined;
  }
  const local = LOCAL_HOSTS.has(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && local)) return local;
  const message =
    url.protocol === 'http:'
      ? `\`${text}\` is not encrypted: use https:, as http: is allowed only for a server on 127.0.0.1, localhost or ::1`
      : `\`${text}\` is not a web address: use https: (or http: for a server on 127.0.0.1, localhost or ::1)`;
  issues.push({ path, at: 'value', message });
  return undefined;
}

/**
 * Reports a secret that is a malformed reference (`${smtp_password}`, `pre${X}`), or a literal
 * value used with a remote server (`local` false); nothing when where it is used is unknown.
 */
function secretIssue(input: {
  path: FieldPathSegment[];
  channel: string;
  value: unknown;
  local: boolean | undefined;
  issues: WorkspaceIssue[];
}): void {
  const { path, channel, value, local, issues } = input;
  if (typeof value !== 'string' || value === '' || SECRET_REFERENCE.test(value)) return;
  const field = String(path[path.length - 1]);
  const example = `\${${`${channel}_${field}`.toUpperCase()}}`;
  if (value.includes('${')) {
    issues.push({
      path,
      at: 'value',
      message: `not a valid environment variable reference: write \`\${NAME}\` alone, NAME being capitals, digits and _ (not starting with a digit), like \`${example}\``,
    });
  } else if (local === false) {
    issues.push({
      path,
      at: 'value',
      message: `\`${field}\` is written in the file: set it in an environment variable and write \`${example}\`, as a literal secret is allowed only for a local server (it would sit in the file and the store)`,
    });
  }
}
