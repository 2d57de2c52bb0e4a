import { promises as dns } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { checkAddress } from '../domain/webhook-url.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Every address a name resolves to (the system resolver; tests pass their own). */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (host) => dns.lookup(host, { all: true, verbatim: true });

/** A webhook target that resolves to an address we do not send to. */
export class RefusedTargetError extends Error {}

/** Resolves `host`; refuses it when any address is not public (one bad answer is enough). */
export async function resolvePublic(host: string, resolve: Resolver): Promise<ResolvedAddress[]> {
  const addresses = await resolve(host);
  if (addresses.length === 0) throw new RefusedTargetError(`${host} resolves to no address`);
  for (const { address } of addresses) {
    const verdict = checkAddress(address);
    if (!verdict.ok) throw new RefusedTargetError(`${host} resolves to ${verdict.reason}`);
  }
  return addresses;
}

/**
 * A `lookup` for the HTTP agent: the addresses a delivery actually connects to are the
 * ones checked here, at connection time, so a name that resolved to a public address at
 * registration and to an internal one now (DNS rebinding) is refused.
 */
export function guardedLookup(resolve: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    resolvePublic(hostname, resolve).then(
      (addresses) => {
        const family =
          options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const wanted = family ? addresses.filter((a) => a.family === family) : addresses;
        const usable = wanted.length > 0 ? wanted : addresses;
        if (options.all) {
          callback(null, usable);
          return;
        }
        const first = usable[0] as ResolvedAddress;
        callback(null, first.address, first.family);
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, '', 0),
    );
  };
}
