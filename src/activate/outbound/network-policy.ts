import { BlockList, isIP } from 'node:net';

/**
 * Where Tailor may send provider calls. Provider URLs are `https:` to public addresses; the
 * hosts in `allowHttpHosts` (a deployment setting, `TAILOR_ALLOW_HTTP_HOSTS`, never the
 * workspace file, which an admin key can change) may also be reached over `http:` and at
 * private, loopback or link-local addresses: local provider servers for tests and the demo.
 */
export interface NetworkPolicy {
  /** Host names and IP literals as `URL` writes them, lower-case, IPv6 without brackets. */
  allowHttpHosts: ReadonlySet<string>;
}

/** Nothing but `https:` to public addresses: what a deployment gets unless it says otherwise. */
export const STRICT_NETWORK_POLICY: NetworkPolicy = { allowHttpHosts: new Set() };

/** The loopback names the demo's local provider servers listen on. */
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', 'localhost', '::1'];

/** A policy allowing `hosts` (names or IP literals, `[::1]` or `::1`). */
export function networkPolicy(hosts: Iterable<string>): NetworkPolicy {
  const allowHttpHosts = new Set<string>();
  for (const host of hosts) {
    const normalized = normalizeHost(host);
    if (normalized !== '') allowHttpHosts.add(normalized);
  }
  return { allowHttpHosts };
}

/** `TAILOR_ALLOW_HTTP_HOSTS` (`127.0.0.1,localhost`) as a policy; blank entries are ignored. */
export function parseAllowHttpHosts(text: string): NetworkPolicy {
  return networkPolicy(text.split(','));
}

/** Whether the policy names this host (a name or an IP literal, brackets optional). */
export function isAllowedHost(policy: NetworkPolicy, host: string): boolean {
  return policy.allowHttpHosts.has(normalizeHost(host));
}

/**
 * Addresses a provider call must never reach unless allowed: "this network", private (10/8,
 * 172.16/12, 192.168/16, 100.64/10), loopback (127/8, ::1), link-local (169.254/16 with the
 * cloud metadata address, fe80::/10), unique-local (fc00::/7), multicast and reserved ranges,
 * and IPv4-mapped IPv6 forms of all these.
 */
const PRIVATE_RANGES = buildPrivateRanges();

function buildPrivateRanges(): BlockList {
  const list = new BlockList();
  const v4: [string, number][] = [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 3],
  ];
  for (const [network, prefix] of v4) list.addSubnet(network, prefix, 'ipv4');
  const v6: [string, number][] = [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
  ];
  for (const [network, prefix] of v6) list.addSubnet(network, prefix, 'ipv6');
  return list;
}

/** Whether an IP address (v4 or v6, no brackets) is private, loopback, link-local or reserved. */
export function isPrivateAddress(address: string): boolean {
  const ip = normalizeHost(address);
  const version = isIP(ip);
  if (version === 4) return PRIVATE_RANGES.check(ip, 'ipv4');
  if (version !== 6) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip)?.[1];
  if (mapped !== undefined) return PRIVATE_RANGES.check(mapped, 'ipv4');
  return PRIVATE_RANGES.check(ip, 'ipv6');
}

/**
 * Why a host may not be reached under the policy, judged without DNS: an IP literal in a
 * private range, or `localhost` (and `*.localhost`), unless the policy names it. Undefined
 * when nothing is wrong so far; a name is checked again against its addresses at send time.
 */
export function hostRefusal(policy: NetworkPolicy, host: string): string | undefined {
  const normalized = normalizeHost(host);
  if (isAllowedHost(policy, normalized)) return undefined;
  const local = normalized === 'localhost' || normalized.endsWith('.localhost');
  if (!local && !isPrivateAddress(normalized)) return undefined;
  return `${normalized} is a private, loopback or link-local address: Tailor reaches only public hosts, unless the host is listed in TAILOR_ALLOW_HTTP_HOSTS (for local testing)`;
}

/**
 * Why a provider URL may not be used under the policy: not a URL, not `https:` (`http:` only to
 * an allowed host), or a private address (`hostRefusal`). Undefined when it may.
 */
export function urlRefusal(policy: NetworkPolicy, text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `\`${text}\` is not a URL: write it in full, with https:// and the host, like https://api.example.com`;
  }
  const allowed = isAllowedHost(policy, url.hostname);
  if (url.protocol === 'http:' && !allowed)
    return `\`${text}\` is not encrypted: use https:, as http: is allowed only for hosts listed in TAILOR_ALLOW_HTTP_HOSTS (for local testing)`;
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return `\`${text}\` is not a web address: use https:`;
  if (url.username !== '' || url.password !== '')
    return `\`${url.host}\` is written with a user and password in the URL: put secrets in their own fields`;
  return hostRefusal(policy, url.hostname);
}

/** `[::1]` → `::1`, `LocalHost.` → `localhost`. */
function normalizeHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}
