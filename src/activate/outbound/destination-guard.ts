import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import {
  hostRefusal,
  isAllowedHost,
  isPrivateAddress,
  type NetworkPolicy,
  urlRefusal,
} from './network-policy.ts';

/** The subset of `dns.promises.lookup` the guard needs: every address of a name. */
export type LookupAll = (host: string, options: { all: true }) => Promise<{ address: string }[]>;

/**
 * Checked right before each provider call: why the destination may not be reached now, or
 * undefined when it may. Throws when the name cannot be resolved (a network fault: the send
 * is retried).
 */
export type DestinationGuard = (target: { url: string } | { host: string }) => Promise<string | undefined>;

/**
 * A guard applying the policy at send time: the URL rules of `urlRefusal`, then every address
 * the host name resolves to must be public unless the host is allowed, so a name that points
 * at 127.0.0.1 or 169.254.169.254 today is refused though it passed when the workspace was
 * applied. The check and the connection resolve the name separately: a name whose answers
 * flip between the two (DNS rebinding with a zero TTL) can still slip through.
 */
export function createDestinationGuard(
  policy: NetworkPolicy,
  lookup: LookupAll = dnsLookup,
): DestinationGuard {
  return async (target) => {
    let host: string;
    if ('url' in target) {
      const refused = urlRefusal(policy, target.url);
      if (refused !== undefined) return refused;
      host = new URL(target.url).hostname.replace(/^\[(.*)\]$/, '$1');
    } else {
      const refused = hostRefusal(policy, target.host);
      if (refused !== undefined) return refused;
      host = target.host;
    }
    if (isAllowedHost(policy, host) || isIP(host) !== 0) return undefined;
    const addresses = await lookup(host, { all: true });
    const inside = addresses.find(({ address }) => isPrivateAddress(address));
    if (inside === undefined) return undefined;
    return `${host} resolves to ${inside.address}, a private, loopback or link-local address: Tailor reaches only public hosts, unless the host is listed in TAILOR_ALLOW_HTTP_HOSTS (for local testing)`;
  };
}

/** A guard that lets everything through: for tests of an adapter's wire format with an injected fetch. */
export const OPEN_DESTINATION_GUARD: DestinationGuard = async () => undefined;
