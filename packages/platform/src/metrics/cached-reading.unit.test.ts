import { describe, expect, it } from 'vitest';
import { cachedReading } from './cached-reading.js';

function counter() {
  let reads = 0;
  let fail = false;
  return {
    read: async () => {
      reads += 1;
      if (fail) throw new Error('down');
      return reads;
    },
    reads: () => reads,
    failNext: (value: boolean) => {
      fail = value;
    },
  };
}

describe('cachedReading', () => {
  it('reuses a value younger than the max age and reads again once it is older', async () => {
    let now = 0;
    const source = counter();
    const reading = cachedReading(source.read, 5_000, () => now);
    expect(await reading()).toBe(1);
    now = 4_999;
    expect(await reading()).toBe(1);
    now = 5_000;
    expect(await reading()).toBe(2);
    expect(source.reads()).toBe(2);
  });

  it('lets calls that arrive together share one read', async () => {
    const source = counter();
    const reading = cachedReading(source.read, 0, () => 0);
    const values = await Promise.all([reading(), reading(), reading()]);
    expect(values).toEqual([1, 1, 1]);
    expect(source.reads()).toBe(1);
  });

  it('does not keep a failure: the next call reads again', async () => {
    const source = counter();
    const reading = cachedReading(source.read, 60_000, () => 0);
    source.failNext(true);
    await expect(reading()).rejects.toThrow('down');
    source.failNext(false);
    expect(await reading()).toBe(2);
  });
});
