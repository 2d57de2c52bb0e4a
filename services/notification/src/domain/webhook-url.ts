import ipaddr from 'ipaddr.js';

/**
 * Which webhook targets are refused, as pure rules (no DNS here): the URL's shape, names
 * that only mean something inside a network, and addresses outside the public unicast
 * space. The same rules judge every address a name resolves to, at registration and again
 * on each delivery's connection (outbound/guarded-lookup.ts).
 */
export type Verdict = { ok: true } | { ok: false; reason: string };

export type UrlVerdict =
  | { ok: true; url: URL; host: string; literalAddress: boolean; testTarget: boolean }
  | { ok: false; reason: string };

/**
 * `host:port` pairs a test lets through over http and on loopback. Empty unless the
 * WEBHOOK_TEST_TARGETS setting names some; never set by `npm start`.
 */
export type TestTargets = ReadonlySet<string>;

/** Suffixes of names that resolve only inside a network (or nowhere public). */
const privateSuffixes = [
  'localhost',
  'local',
  'localdomain',
  'internal',
  'intranet',
  'lan',
  'home',
  'corp',
  'private',
  'home.arpa',
  'arpa',
  'test',
  'invalid',
  'onion',
];

/** Well-known metadata names that are not covered by the suffixes above. */
const metadataNames = new Set(['metadata.google.internal', 'instance-data', 'metadata']);

export function checkWebhookUrl(raw: string, testTargets: TestTargets): UrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'the url is not a valid absolute URL' };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, reason: 'credentials in the url (user@host) are not accepted' };
  }
  // WHATWG parsing already turned decimal, octal, hex and short IPv4 forms into dotted
  // quads and lower-cased the name; trailing dots still need trimming.
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.+$/, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const literalAddress = ipaddr.isValid(host);
  const hostPort = literalAddress && host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  if ((url.protocol === 'http:' || url.protocol === 'https:') && testTargets.has(hostPort)) {
    return { ok: true, url, host, literalAddress, testTarget: true };
  }
  if (url.protocol !== 'https:') {
    return { ok: false, reason: `only https URLs are accepted (got ${url.protocol.slice(0, -1)})` };
  }
  if (host === '') return { ok: false, reason: 'the url names no host' };
  const verdict = literalAddress ? checkAddress(host) : checkName(host);
  return verdict.ok ? { ok: true, url, host, literalAddress, testTarget: false } : verdict;
}

/** A host name (not an address literal): refused when it can only be internal. */
export function checkName(name: string): Verdict {
  const lower = name.toLowerCase().replace(/\.+$/, '');
  if (metadataNames.has(lower)) return { ok: false, reason: `${lower} is a metadata service name` };
  const suffix = privateSuffixes.find((s) => lower === s || lower.endsWith(`.${s}`));
  if (suffix) return { ok: false, reason: `names under .${suffix} are internal` };
  if (!lower.includes('.')) {
    return { ok: false, reason: `${lower} is a single-label (intranet) name` };
  }
  return { ok: true };
}

/**
 * An IP address: accepted only when it is public unicast. IPv6 must be global unicast
 * (2000::/3) outside the ranges that embed an IPv4 address (mapped, compatible, NAT64,
 * 6to4, Teredo): those are refused outright rather than decoded, since a public https
 * endpoint has no reason to be reached that way.
 */
export function checkAddress(text: string): Verdict {
  if (!ipaddr.isValid(text)) return { ok: false, reason: `${text} is not an IP address` };
  const address = ipaddr.parse(text);
  const range = address.range();
  if (address.kind() === 'ipv6') {
    const v6 = address as ipaddr.IPv6;
    const parts = v6.parts;
    if (parts.slice(0, 6).every((p) => p === 0) && range === 'unicast') {
      return { ok: false, reason: `${text} is an IPv4-compatible IPv6 address` };
    }
    if (range !== 'unicast') return { ok: false, reason: `${text} is a ${range} address` };
    if (!v6.match(ipaddr.IPv6.parse('2000::'), 3)) {
      return { ok: false, reason: `${text} is outside global unicast IPv6 (2000::/3)` };
    }
    return { ok: true };
  }
  if (range !== 'unicast') return { ok: false, reason: `${text} is a ${range} address` };
  return { ok: true };
}
