import { nonPublicReason } from './address-policy.js';

describe('nonPublicReason', () => {
  it('lets public unicast addresses through', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '93.184.216.34', '2606:4700:4700::1111', '2a00:1450:4007:80e::200e']) {
      expect([address, nonPublicReason(address)]).toEqual([address, null]);
    }
  });

  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['127.255.255.254', 'a loopback address'],
    ['10.0.0.1', 'a private address'],
    ['172.31.255.255', 'a private address'],
    ['192.168.0.10', 'a private address'],
    ['169.254.169.254', 'a link-local address'],
    ['100.64.0.1', 'a carrier-grade NAT (CGNAT) address'],
    ['100.127.255.254', 'a carrier-grade NAT (CGNAT) address'],
    ['0.0.0.0', 'a "this network" address'],
    ['224.0.0.1', 'a multicast address'],
    ['239.255.255.250', 'a multicast address'],
    ['255.255.255.255', 'a reserved address'],
    ['198.18.0.1', 'a benchmarking address'],
    ['::1', 'a loopback address'],
    ['::', 'the unspecified address'],
    ['fc00::1', 'a unique local (ULA) address'],
    ['fdff:ffff::1', 'a unique local (ULA) address'],
    ['fe80::1', 'a link-local address'],
    ['ff02::1', 'a multicast address'],
    ['::ffff:127.0.0.1', 'an IPv4-mapped address'],
    ['::ffff:8.8.8.8', 'an IPv4-mapped address'],
    ['64:ff9b::a00:1', 'a NAT64 address'],
    ['2001:db8::1', 'a documentation address'],
    ['[::1]', 'a loopback address'],
  ])('refuses %s (%s)', (address, reason) => {
    expect(nonPublicReason(address)).toBe(reason);
  });

  it('refuses what is not an IP', () => {
    expect(nonPublicReason('localhost')).toBe('not an IP address');
    expect(nonPublicReason('')).toBe('not an IP address');
  });

  it('does not mistake public neighbours of private ranges', () => {
    for (const address of ['172.32.0.1', '100.128.0.1', '11.0.0.1', '192.169.0.1', '169.255.0.1', 'fe00::1']) {
      expect([address, nonPublicReason(address)]).toEqual([address, null]);
    }
  });
});
