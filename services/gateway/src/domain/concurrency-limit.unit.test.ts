import { TooManyRequestsError } from '@countersign/platform';
import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from './concurrency-limit.js';

/** A task that runs until its `finish` is called; records when it started. */
function gate(started: number[], id: number) {
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    task: async () => {
      started.push(id);
      await done;
      return id;
    },
    finish: () => finish(),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ConcurrencyLimit', () => {
  it('runs at most maxActive tasks at once, the rest in arrival order', async () => {
    const limit = new ConcurrencyLimit(2, 10);
    const started: number[] = [];
    const gates = [1, 2, 3, 4].map((id) => gate(started, id));
    const results = gates.map((g) => limit.run(g.task));
    await tick();
    expect(started).toEqual([1, 2]);
    expect([limit.active, limit.waiting]).toEqual([2, 2]);
    gates[1]?.finish();
    await tick();
    expect(started).toEqual([1, 2, 3]);
    expect([limit.active, limit.waiting]).toEqual([2, 1]);
    for (const g of gates) g.finish();
    expect(await Promise.all(results)).toEqual([1, 2, 3, 4]);
    expect([limit.active, limit.waiting]).toEqual([0, 0]);
  });

  it('refuses a task when the queue is full, without running it', async () => {
    const limit = new ConcurrencyLimit(1, 1);
    const started: number[] = [];
    const first = gate(started, 1);
    const second = gate(started, 2);
    const running = limit.run(first.task);
    const queued = limit.run(second.task);
    let third = false;
    await expect(
      limit.run(async () => {
        third = true;
      }),
    ).rejects.toBeInstanceOf(TooManyRequestsError);
    expect(third).toBe(false);
    first.finish();
    second.finish();
    await Promise.all([running, queued]);
  });

  it('frees the slot of a task that fails', async () => {
    const limit = new ConcurrencyLimit(1, 0);
    await expect(limit.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limit.run(async () => 'next')).toBe('next');
    expect(limit.active).toBe(0);
  });
});
