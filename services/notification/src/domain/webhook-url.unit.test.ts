import { describe, expect, it } from 'vitest';
import { checkAddress, checkWebhookUrl } from './webhook-url.js';

const none = new Set<string>();

/** URL tricks and internal targets, each with a word its refusal must contain. */
const refusedUrls: [string, string][] = [
  ['http://hooks.example.com/x', 'https'],
  ['ftp://hooks.example.com/x', 'https'],
  ['file:///etc/passwd', 'https'],
  ['gopher://127.0.0.1:6379/_PING', 'https'],
  ['javascript:alert(1)', 'https'],
  ['not a url', 'valid'],
  ['//hooks.example.com/x', 'valid'],
  ['https://127.0.0.1/', 'loopback'],
  ['https://127.1/', 'loopback'],
  ['https://2130706433/', 'loopback'],
  ['https://0x7f000001/', 'loopback'],
  ['https://0x7f.0.0.1/', 'loopback'],
  ['https://0177.0.0.1/', 'loopback'],
  ['https://017700000001/', 'loopback'],
  ['https://127.000.000.001/', 'loopback'],
  ['https://①②⑦.0.0.1/', 'loopback'],
  ['https://0/', 'unspecified'],
  ['https://0.0.0.0/', 'unspecified'],
  ['https://x@127.0.0.1/', 'credentials'],
  ['https://user:pass@hooks.example.com/', 'credentials'],
  ['https://hooks.example.com@127.0.0.1/', 'credentials'],
  ['https://localhost/', 'internal'],
  ['https://LOCALHOST./', 'internal'],
  ['https://LocalHost/', 'internal'],
  ['https://api.localhost/', 'internal'],
  ['https://localhost.localdomain/', 'internal'],
  ['https://printer.local/', 'internal'],
  ['https://metadata.google.internal/computeMetadata/v1/', 'metadata'],
  ['https://METADATA.GOOGLE.INTERNAL./', 'metadata'],
  ['https://instance-data/latest/', 'metadata'],
  ['https://ip-10-0-0-1.ec2.internal/', 'internal'],
  ['https://router.home.arpa/', 'internal'],
  ['https://1.0.0.127.in-addr.arpa/', 'internal'],
  ['https://intranet/', 'internal'],
  ['https://wiki/', 'single-label'],
  ['https://[::1]/', 'loopback'],
  ['https://[0:0:0:0:0:0:0:1]/', 'loopback'],
  ['https://[::]/', 'unspecified'],
  ['https://[::ffff:127.0.0.1]/', 'ipv4Mapped'],
  ['https://[::ffff:169.254.169.254]/', 'ipv4Mapped'],
  ['https://[::ffff:7f00:1]/', 'ipv4Mapped'],
  ['https://[::127.0.0.1]/', 'IPv4-compatible'],
  ['https://[64:ff9b::a00:1]/', 'rfc6052'],
  ['https://[64:ff9b::7f00:1]/', 'rfc6052'],
  ['https://[2002:7f00:1::]/', '6to4'],
  ['https://[2002:a9fe:a9fe::1]/', '6to4'],
  ['https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/', 'teredo'],
  ['https://[fd00:ec2::254]/', 'uniqueLocal'],
  ['https://[fe80::1]/', 'linkLocal'],
  ['https://[ff02::1]/', 'multicast'],
  ['https://169.254.169.254/latest/meta-data/', 'linkLocal'],
  ['https://169.254.170.2/v2/credentials', 'linkLocal'],
  ['https://100.100.100.200/latest/meta-data', 'carrierGradeNat'],
  ['https://10.0.0.1/', 'private'],
  ['https://172.16.0.1/', 'private'],
  ['https://172.31.255.255/', 'private'],
  ['https://192.168.1.1:8443/', 'private'],
  ['https://100.64.0.1/', 'carrierGradeNat'],
  ['https://224.0.0.1/', 'multicast'],
  ['https://255.255.255.255/', 'broadcast'],
  ['https://240.0.0.1/', 'reserved'],
  ['https://192.0.2.10/', 'reserved'],
  ['https://198.18.0.1/', 'reserved'],
  ['https://1.2.3.4.5/', 'valid'],
  ['https://999.1.1.1/', 'valid'],
];

const refusedAddresses: [string, string][] = [
  ['127.0.0.53', 'loopback'],
  ['10.255.255.53', 'private'],
  ['169.254.169.254', 'linkLocal'],
  ['0.1.2.3', 'unspecified'],
  ['::1', 'loopback'],
  ['fd00:ec2::254', 'uniqueLocal'],
  ['fc00::1', 'uniqueLocal'],
  ['fe80::a:b', 'linkLocal'],
  ['::ffff:10.0.0.1', 'ipv4Mapped'],
  ['::ffff:0:a00:1', 'rfc6145'],
  ['2001:db8::1', 'reserved'],
  ['fec0::1', 'deprecatedSiteLocal'],
  ['100::1', 'discard'],
  ['c000::1', 'outside global unicast'],
  ['3fff::1', 'reserved'],
];

const accepted = [
  'https://hooks.example.com/countersign',
  'https://Hooks.Example.COM./x?y=1',
  'https://93.184.215.14/hook',
  'https://8.8.8.8:8443/hook',
  'https://[2606:4700:4700::1111]/hook',
  'https://sub.domain.example.org/path#frag',
];

describe('webhook URL rules', () => {
  it('the corpus holds at least 50 refused URLs and addresses', () => {
    expect(refusedUrls.length + refusedAddresses.length).toBeGreaterThanOrEqual(50);
  });

  it.each(refusedUrls)('refuses %s (%s)', (url, why) => {
    const verdict = checkWebhookUrl(url, none);
    expect(verdict.ok, url).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toContain(why);
  });

  it.each(refusedAddresses)('refuses the resolved address %s (%s)', (address, why) => {
    const verdict = checkAddress(address);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toContain(why);
  });

  it.each(accepted)('accepts %s', (url) => {
    expect(checkWebhookUrl(url, none)).toMatchObject({ ok: true, testTarget: false });
  });

  it('lets through only the exact host:port a test allows, over http too', () => {
    const allowed = new Set(['127.0.0.1:9080', '[::1]:9081']);
    expect(checkWebhookUrl('http://127.0.0.1:9080/hook', allowed)).toMatchObject({
      ok: true,
      testTarget: true,
    });
    expect(checkWebhookUrl('http://[::1]:9081/hook', allowed).ok).toBe(true);
    expect(checkWebhookUrl('http://127.0.0.1:9082/hook', allowed).ok).toBe(false);
    expect(checkWebhookUrl('http://127.0.0.1/hook', allowed).ok).toBe(false);
    expect(checkWebhookUrl('http://x@127.0.0.1:9080/hook', allowed).ok).toBe(false);
    expect(checkWebhookUrl('ftp://127.0.0.1:9080/hook', allowed).ok).toBe(false);
  });
});
