import { describe, expect, it } from 'vitest';
import { blockedReason } from './address-policy.js';

describe('webhook address policy (SSRF)', () => {
  it.each([
    '127.0.0.1', '127.1.2.3', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
    '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'fd00:ec2::254', '::ffff:127.0.0.1', '::ffff:7f00:1',
    '::ffff:169.254.169.254', '64:ff9b::a9fe:a9fe', 'ff02::1',
  ])('refuses %s', (address) => {
    expect(blockedReason(address)).toMatch(/loopback, private, link-local or reserved/);
  });

  it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '192.169.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) => {
    expect(blockedReason(address)).toBeNull();
  });

  it('refuses what is not an address', () => {
    expect(blockedReason('example.com')).toMatch(/not an IP address/);
  });
});
