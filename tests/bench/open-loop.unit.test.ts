import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runOpenLoop } from '../../scripts/bench/load.js';

describe('the open-loop driver', () => {
  it('starts every arrival of the schedule when answers come at once', async () => {
    let calls = 0;
    const result = await runOpenLoop(
      async () => {
        calls += 1;
      },
      1_000,
      0.05,
      1_000,
    );
    expect(result).toMatchObject({ scheduled: 50, started: 50, dropped: 0 });
    expect(calls).toBe(50);
  });

  it('never has more than its cap in flight, and drops what it does not start', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    let calls = 0;
    const result = await runOpenLoop(
      async () => {
        calls += 1;
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        // A slow server: each answer takes longer than the gap between arrivals.
        await sleep(20);
        inFlight -= 1;
      },
      1_000,
      0.05,
      3,
    );
    expect(mostInFlight).toBeLessThanOrEqual(3);
    expect(result.scheduled).toBe(50);
    expect(result.started + result.dropped).toBe(50);
    expect(calls).toBe(result.started);
  });
});
