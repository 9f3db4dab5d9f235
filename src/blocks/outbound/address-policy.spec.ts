import { describe, expect, it } from '@jest/globals';
import { embeddedIpv4, ipv6Bytes, nonPublicAddressKind } from './address-policy.js';

describe('nonPublicAddressKind', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.1.2', 'loopback'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'CGNAT (shared address space)'],
    ['100.127.255.255', 'CGNAT (shared address space)'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'reserved'],
    ['198.18.0.1', 'benchmarking'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['::ffff:127.0.0.1', 'loopback (IPv4 127.0.0.1 mapped into IPv6)'],
    ['::ffff:7f00:1', 'loopback (IPv4 127.0.0.1 mapped into IPv6)'],
    ['::ffff:10.0.0.1', 'private (IPv4 10.0.0.1 mapped into IPv6)'],
    ['::ffff:a9fe:a9fe', 'link-local (IPv4 169.254.169.254 mapped into IPv6)'],
    ['::127.0.0.1', 'loopback (IPv4 127.0.0.1 IPv4-compatible)'],
    ['64:ff9b::10.0.0.1', 'private (IPv4 10.0.0.1 via NAT64)'],
    ['2002:7f00:1::', 'loopback (IPv4 127.0.0.1 via 6to4)'],
    ['example.com', 'not an IP address'],
  ])('%s is %s', (address, kind) => {
    expect(nonPublicAddressKind(address)).toBe(kind);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '93.184.216.34', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8', '2002:808:808::'])(
    '%s is public',
    (address) => {
      expect(nonPublicAddressKind(address)).toBeNull();
    },
  );
});

describe('ipv6Bytes', () => {
  it('expands :: and a trailing dotted quad into 16 bytes', () => {
    expect(ipv6Bytes('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(ipv6Bytes('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]);
    expect(ipv6Bytes('2001:db8:0:0:1:0:0:1')).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
    expect(ipv6Bytes('fe80::')).toEqual([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('answers null for text that is not IPv6', () => {
    expect(ipv6Bytes('1.2.3.4')).toBeNull();
    expect(ipv6Bytes('nope')).toBeNull();
  });
});

describe('embeddedIpv4', () => {
  it('finds no IPv4 in :: and ::1 themselves', () => {
    expect(embeddedIpv4('::')).toBeNull();
    expect(embeddedIpv4('::1')).toBeNull();
    expect(embeddedIpv4('2606:4700::1')).toBeNull();
  });
});
