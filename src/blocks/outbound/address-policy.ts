// Which IP addresses an outbound request may reach. Pure: classifies an address (IPv4 or IPv6,
// including IPv4 embedded in IPv6) as a kind of non-public address, or null when it is public.
import { BlockList, isIP } from 'node:net';

type Family = 'ipv4' | 'ipv6';

/** Each kind of non-public address, with the ranges that make it up (RFC 6890 and friends). */
const RANGES: ReadonlyArray<readonly [kind: string, family: Family, network: string, prefix: number]> = [
  ['unspecified', 'ipv4', '0.0.0.0', 8],
  ['private', 'ipv4', '10.0.0.0', 8],
  ['CGNAT (shared address space)', 'ipv4', '100.64.0.0', 10],
  ['loopback', 'ipv4', '127.0.0.0', 8],
  ['link-local', 'ipv4', '169.254.0.0', 16],
  ['private', 'ipv4', '172.16.0.0', 12],
  ['IETF protocol assignment', 'ipv4', '192.0.0.0', 24],
  ['documentation', 'ipv4', '192.0.2.0', 24],
  ['private', 'ipv4', '192.168.0.0', 16],
  ['benchmarking', 'ipv4', '198.18.0.0', 15],
  ['documentation', 'ipv4', '198.51.100.0', 24],
  ['documentation', 'ipv4', '203.0.113.0', 24],
  ['multicast', 'ipv4', '224.0.0.0', 4],
  ['reserved', 'ipv4', '240.0.0.0', 4],
  ['unspecified', 'ipv6', '::', 128],
  ['loopback', 'ipv6', '::1', 128],
  ['discard-only', 'ipv6', '100::', 64],
  ['Teredo tunnel', 'ipv6', '2001::', 32],
  ['documentation', 'ipv6', '2001:db8::', 32],
  ['unique-local', 'ipv6', 'fc00::', 7],
  ['link-local', 'ipv6', 'fe80::', 10],
  ['site-local', 'ipv6', 'fec0::', 10],
  ['multicast', 'ipv6', 'ff00::', 8],
];

const BLOCK_LISTS: ReadonlyArray<{ kind: string; list: BlockList }> = (() => {
  const byKind = new Map<string, BlockList>();
  for (const [kind, family, network, prefix] of RANGES) {
    let list = byKind.get(kind);
    if (!list) byKind.set(kind, (list = new BlockList()));
    list.addSubnet(network, prefix, family);
  }
  return [...byKind].map(([kind, list]) => ({ kind, list }));
})();

/**
 * The kind of non-public address `address` is (`loopback`, `private`, `link-local`, ...), or null when
 * it is a public address. IPv4 carried inside IPv6 (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`,
 * NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) is judged by the IPv4 address it carries.
 * Text that is not an IP address is refused as `not an IP address`.
 */
export function nonPublicAddressKind(address: string): string | null {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const version = isIP(bare);
  if (version === 4) return kindOf(bare, 'ipv4');
  if (version !== 6) return 'not an IP address';
  const embedded = embeddedIpv4(bare);
  if (embedded) {
    const kind = kindOf(embedded.address, 'ipv4');
    return kind ? `${kind} (IPv4 ${embedded.address} ${embedded.how})` : null;
  }
  return kindOf(bare, 'ipv6');
}

function kindOf(address: string, family: Family): string | null {
  for (const { kind, list } of BLOCK_LISTS) if (list.check(address, family)) return kind;
  return null;
}

/** The IPv4 address an IPv6 address carries, if it is one of the forms that carry one. */
export function embeddedIpv4(ipv6: string): { address: string; how: string } | null {
  const bytes = ipv6Bytes(ipv6);
  if (!bytes) return null;
  const zero = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  const v4 = (at: number) => `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
  if (zero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return { address: v4(12), how: 'mapped into IPv6' };
  // ::/96 holds :: and ::1 themselves (judged as IPv6); anything else there is IPv4-compatible.
  if (zero(0, 12) && !zero(12, 15)) return { address: v4(12), how: 'IPv4-compatible' };
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zero(4, 12)) return { address: v4(12), how: 'via NAT64' };
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return { address: v4(2), how: 'via 6to4' };
  return null;
}

/** The 16 bytes of an IPv6 address in text form (with `::` and a trailing dotted quad), or null. */
export function ipv6Bytes(text: string): number[] | null {
  if (isIP(text) !== 6) return null;
  let head = text;
  const tailBytes: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(head);
  if (dotted) {
    tailBytes.push(...dotted[1]!.split('.').map(Number));
    head = head.slice(0, -dotted[1]!.length);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const leftGroups = groups(left ?? '');
  const rightGroups = right === undefined ? [] : groups(right);
  const missing = 8 - tailBytes.length / 2 - leftGroups.length - rightGroups.length;
  const all = [...leftGroups, ...Array<number>(right === undefined ? 0 : missing).fill(0), ...rightGroups];
  const bytes = all.flatMap((g) => [g >> 8, g & 0xff]).concat(tailBytes);
  return bytes.length === 16 ? bytes : null;
}
