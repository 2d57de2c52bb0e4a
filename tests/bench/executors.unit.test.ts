import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runRampingArrivalRate, runRampingVus } from '../../scripts/bench/executors.js';

/** An iteration that takes `ms` and tracks how many run at once. */
function tracked(ms: number) {
  const state = { running: 0, most: 0, started: 0 };
  const iterate = async (): Promise<void> => {
    state.started += 1;
    state.running += 1;
    state.most = Math.max(state.most, state.running);
    await sleep(ms);
    state.running -= 1;
  };
  return { state, iterate };
}

describe('the ramping-vus executor', () => {
  it('runs up to the stages’ peak of users at once, never more, and ends with its stages', async () => {
    const { state, iterate } = tracked(20);
    const result = await runRampingVus(
      { executor: 'ramping-vus', startVus: 3, stages: [{ durationS: 0.5, target: 3 }] },
      { iterate, aborted: () => false },
    );
    expect(state.most).toBe(3);
    expect(state.running).toBe(0);
    expect(result.dropped).toBe(0);
  });

  it('starts nothing once aborted', async () => {
    const { state, iterate } = tracked(5);
    await runRampingVus(
      { executor: 'ramping-vus', startVus: 2, stages: [{ durationS: 5, target: 2 }] },
      { iterate, aborted: () => true },
    );
    expect(state.started).toBe(0);
  });
});

describe('the ramping-arrival-rate executor', () => {
  it('starts the arrivals the rate calls for when answers come at once', async () => {
    const { state, iterate } = tracked(0);
    const result = await runRampingArrivalRate(
      {
        executor: 'ramping-arrival-rate',
        startRate: 100,
        preAllocatedVus: 1,
        maxVus: 100,
        stages: [{ durationS: 0.5, target: 100 }],
      },
      { iterate, aborted: () => false },
    );
    expect(state.started).toBe(50);
    expect(result.dropped).toBe(0);
  });

  it('drops, and reports, each arrival that finds every VU busy', async () => {
    const { state, iterate } = tracked(400);
    let reported = 0;
    const result = await runRampingArrivalRate(
      {
        executor: 'ramping-arrival-rate',
        startRate: 200,
        preAllocatedVus: 1,
        maxVus: 2,
        stages: [{ durationS: 0.2, target: 200 }],
      },
      {
        iterate,
        aborted: () => false,
        onDropped: () => {
          reported += 1;
        },
      },
    );
    // Each iteration outlasts the run: the first two hold both VUs to the end.
    expect(state.started).toBe(2);
    expect(result.dropped).toBe(40 - 2);
    expect(reported).toBe(result.dropped);
  });
});
