import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import {
  guardedLookup,
  RefusedTargetError,
  type Resolver,
  resolvePublic,
} from './resolve-public.js';

const answers =
  (...addresses: string[]): Resolver =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

function lookupOnce(
  resolver: Resolver,
  all: boolean,
): Promise<{ error: Error | null; address: string | LookupAddress[] }> {
  return new Promise((resolve) => {
    guardedLookup(resolver)('hooks.example.com', { all }, (error, address) =>
      resolve({ error, address }),
    );
  });
}

describe('resolving a webhook host', () => {
  it('accepts a name whose every address is public', async () => {
    await expect(
      resolvePublic('hooks.example.com', answers('93.184.215.14')),
    ).resolves.toHaveLength(1);
  });

  it('refuses a name when any one address is internal (one bad answer is enough)', async () => {
    for (const bad of [
      '127.0.0.1',
      '10.1.2.3',
      '169.254.169.254',
      '::1',
      'fd00:ec2::254',
      '::ffff:192.168.0.1',
    ]) {
      await expect(
        resolvePublic('hooks.example.com', answers('93.184.215.14', bad)),
        bad,
      ).rejects.toThrow(RefusedTargetError);
    }
    await expect(resolvePublic('hooks.example.com', answers())).rejects.toThrow('no address');
  });

  it('the connection-time lookup refuses a name that now resolves inside (DNS rebinding)', async () => {
    const refused = await lookupOnce(answers('127.0.0.1'), false);
    expect(refused.error).toBeInstanceOf(RefusedTargetError);
    expect(refused.error?.message).toContain('loopback');
    const single = await lookupOnce(answers('93.184.215.14'), false);
    expect(single).toEqual({ error: null, address: '93.184.215.14' });
    const all = await lookupOnce(answers('93.184.215.14', '2606:4700::1'), true);
    expect(all.address).toEqual([
      { address: '93.184.215.14', family: 4 },
      { address: '2606:4700::1', family: 6 },
    ]);
  });
});
