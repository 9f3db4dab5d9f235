// Resolves a host name and checks every address it resolves to against the private-address policy,
// AFTER resolution, so a public-looking name that points inside is refused. The same check feeds the
// `lookup` of the sockets we open, so the connection goes to exactly the addresses that were checked
// (no second lookup a rebinding DNS server could answer differently).
import { lookup as dnsLookup } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { nonPublicAddressKind } from './address-policy.js';
import { addressRefused, requestFailed } from './outbound.errors.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address a host name resolves to (the system resolver by default; tests inject their own). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface AddressPolicy {
  allowPrivateAddresses: boolean;
  resolve?: HostResolver;
  /** Which kind of non-public address an address is, or null (default: nonPublicAddressKind; tests narrow it). */
  classifyAddress?: (address: string) => string | null;
}

export const systemResolver: HostResolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, order: 'verbatim' }, (error, addresses) => {
      if (error) reject(error);
      else resolve(addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })));
    });
  });

/** `[::1]` -> `::1`: URL host names keep IPv6 literals in brackets. */
export function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/** Refuses an IP literal the policy forbids (literals never reach a resolver). */
export function checkLiteralAddress(hostname: string, policy: AddressPolicy): void {
  const host = bareHost(hostname);
  if (policy.allowPrivateAddresses || !isIP(host)) return;
  const kind = (policy.classifyAddress ?? nonPublicAddressKind)(host);
  if (kind) throw addressRefused(host, host, kind);
}

/**
 * The addresses of `hostname`, every one of them allowed by the policy (one forbidden address refuses
 * the whole name: we can't know which one a connection would use).
 */
export async function resolveAllowed(hostname: string, policy: AddressPolicy): Promise<ResolvedAddress[]> {
  const host = bareHost(hostname);
  const literal = isIP(host);
  let addresses: ResolvedAddress[];
  if (literal) {
    addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await (policy.resolve ?? systemResolver)(host);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw requestFailed(host, code === 'ENOTFOUND' ? 'no such host name' : `its name could not be resolved (${(error as Error).message})`, code);
    }
    if (addresses.length === 0) throw requestFailed(host, 'its name resolves to no address', 'ENOTFOUND');
  }
  if (!policy.allowPrivateAddresses) {
    for (const { address } of addresses) {
      const kind = (policy.classifyAddress ?? nonPublicAddressKind)(address);
      if (kind) throw addressRefused(host, address, kind);
    }
  }
  return addresses;
}

/** A `lookup` for net/tls sockets (and an undici Agent's `connect`) that resolves through the policy. */
export function guardedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    resolveAllowed(hostname, policy).then(
      (all) => {
        const wanted = options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
        const addresses = wanted.length ? wanted : all;
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}
