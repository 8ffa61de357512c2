import {
  hostRefusal,
  isAllowedHost,
  type NetworkPolicy,
  urlRefusal,
} from '../activate/outbound/network-policy.ts';
import {
  redactedSecretProblem,
  secretReferenceName,
  secretReferenceProblem,
} from '../activate/resolve-secret.ts';
import { isJsonObject } from '../ingest/merge-objects.ts';
import type { FieldPathSegment, WorkspaceIssue } from './workspace-issue.ts';

/** Where one channel's URL fields are and which secrets each URL (or host) makes local or not. */
interface ChannelChecks {
  /**
   * URL fields, each with its default when left out (undefined: the field is required); `own`
   * marks Tailor's own public URL (where links point), which Tailor never calls.
   */
  urls: { field: string; fallback?: string; own?: boolean }[];
  /** Secret fields, each with the field saying where the secret is used: a URL field, or `host`. */
  secrets: { field: string; usedAt: string }[];
}

const CHECKS: Readonly<Record<string, ChannelChecks>> = {
  email: {
    urls: [{ field: 'link_base_url', own: true }],
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
  messenger: {
    urls: [{ field: 'base_url', fallback: 'https://graph.facebook.com/v21.0' }],
    secrets: [
      { field: 'access_token', usedAt: 'base_url' },
      { field: 'app_secret', usedAt: 'base_url' },
      { field: 'verify_token', usedAt: 'base_url' },
    ],
  },
  instagram: {
    urls: [{ field: 'base_url', fallback: 'https://graph.facebook.com/v21.0' }],
    secrets: [
      { field: 'access_token', usedAt: 'base_url' },
      { field: 'app_secret', usedAt: 'base_url' },
      { field: 'verify_token', usedAt: 'base_url' },
    ],
  },
  rcs: {
    urls: [{ field: 'base_url', fallback: 'https://api.twilio.com' }],
    secrets: [{ field: 'auth_token', usedAt: 'base_url' }],
  },
  webhook: { urls: [{ field: 'url' }], secrets: [{ field: 'secret', usedAt: 'url' }] },
  meta_audiences: {
    urls: [{ field: 'base_url', fallback: 'https://graph.facebook.com/v21.0' }],
    secrets: [{ field: 'access_token', usedAt: 'base_url' }],
  },
  google_customer_match: {
    urls: [{ field: 'base_url', fallback: 'https://googleads.googleapis.com/v21' }],
    secrets: [
      { field: 'developer_token', usedAt: 'base_url' },
      { field: 'access_token', usedAt: 'base_url' },
    ],
  },
  meta_conversions: {
    urls: [{ field: 'base_url', fallback: 'https://graph.facebook.com/v21.0' }],
    secrets: [{ field: 'access_token', usedAt: 'base_url' }],
  },
  hubspot: {
    urls: [{ field: 'base_url', fallback: 'https://api.hubapi.com' }],
    secrets: [
      { field: 'client_secret', usedAt: 'base_url' },
      { field: 'access_token', usedAt: 'base_url' },
    ],
  },
};

/**
 * The checks of the `channels` section a schema cannot express, under the deployment's network
 * policy: provider URLs parse and use `https:` (`http:` only for hosts the policy allows) and
 * do not point at private, loopback or link-local addresses (nor does the SMTP `host`) unless
 * allowed; a secret is a `${TAILOR_SECRET_…}` reference or, only for an allowed (local test)
 * host, a literal value, since a literal secret of a remote provider would sit in the file and
 * the store; the SMS channel names a sender (`from` or `messaging_service_sid`); an SMTP `user`
 * comes with a `password`. Messages never repeat a secret's value. Reads the section
 * defensively: types are the schema's business.
 */
export function collectChannelIssues(channels: unknown, network: NetworkPolicy): WorkspaceIssue[] {
  if (!isJsonObject(channels)) return [];
  const issues: WorkspaceIssue[] = [];
  for (const [channel, checks] of Object.entries(CHECKS)) {
    const section = channels[channel];
    if (!isJsonObject(section)) continue;
    const at: FieldPathSegment[] = ['channels', channel];
    const local = new Map<string, boolean | undefined>();
    for (const { field, fallback, own } of checks.urls) {
      const text = section[field] ?? fallback;
      if (typeof text !== 'string') continue;
      local.set(field, urlIsLocal({ path: [...at, field], text, own: own === true, network, issues }));
    }
    if (typeof section.host === 'string') {
      const refused = hostRefusal(network, section.host);
      if (refused !== undefined) issues.push({ path: [...at, 'host'], at: 'value', message: refused });
      local.set('host', refused === undefined ? isAllowedHost(network, section.host) : undefined);
    }
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
      message: `an SMTP \`user\` needs a \`password\`, like password: \${TAILOR_SECRET_SMTP_PASSWORD}; leave both out for no login`,
    });
  }
  return issues;
}

/**
 * Whether a URL field points at a host the policy allows (a local test server); reports a URL
 * the policy refuses (and then answers undefined, so its secrets are not reported twice).
 * Tailor's own URL (`own`) needs only https: or an allowed host, as Tailor never calls it.
 */
function urlIsLocal(input: {
  path: FieldPathSegment[];
  text: string;
  own: boolean;
  network: NetworkPolicy;
  issues: WorkspaceIssue[];
}): boolean | undefined {
  const { path, text, own, network, issues } = input;
  const refused = urlRefusal(network, text);
  if (refused === undefined) return isAllowedHost(network, new URL(text).hostname);
  if (own && URL.canParse(text)) {
    const url = new URL(text);
    const allowed = isAllowedHost(network, url.hostname);
    if (url.protocol === 'https:' || (url.protocol === 'http:' && allowed)) return allowed;
  }
  issues.push({ path, at: 'value', message: refused });
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
  if (typeof value !== 'string' || value === '') return;
  const field = String(path[path.length - 1]);
  const example = `\${TAILOR_SECRET_${`${channel}_${field}`.toUpperCase()}}`;
  const problem = secretReferenceProblem(value, example);
  const copied = redactedSecretProblem(value, example);
  if (copied !== undefined) {
    issues.push({ path, at: 'value', message: copied });
  } else if (problem !== undefined) {
    issues.push({ path, at: 'value', message: problem });
  } else if (secretReferenceName(value) !== undefined) {
    return;
  } else if (local === false) {
    issues.push({
      path,
      at: 'value',
      message: `\`${field}\` is written in the file: set it in an environment variable and write \`${example}\`, as a literal secret is allowed only for a host listed in TAILOR_ALLOW_HTTP_HOSTS (local testing; it would sit in the file and the store)`,
    });
  }
}
