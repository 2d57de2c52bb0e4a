/**
 * k6's two executors that the scenarios use, for Node: each runs `iterate` (one user
 * journey) on the scenario's schedule until its stages end or `aborted()` says stop.
 *
 * - ramping-vus: the number of virtual users follows the stages; each runs journeys back to
 *   back; a user ramped away finishes the journey it is in (k6's graceful ramp-down).
 * - ramping-arrival-rate: journeys start at the stages' rate whatever the answers; an
 *   arrival that finds `maxVus` journeys running is dropped and counted.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  arrivalsBy,
  type RampingArrivalRate,
  type RampingVus,
  targetAt,
} from '../../deploy/k6/scenarios.js';

export interface ExecutorRun {
  iterate: () => Promise<void>;
  aborted: () => boolean;
  /** Called for each arrival dropped, as it happens (an abort threshold may watch them). */
  onDropped?: () => void;
}

export interface ExecutorResult {
  /** From the first start until the last journey ended, in s. */
  durationS: number;
  dropped: number;
}

const VU_TICK_MS = 100;
const ARRIVAL_TICK_MS = 2;

/** The run's length and a clock of the seconds since it started. */
function runClock(stages: readonly { durationS: number }[]) {
  const t0 = performance.now();
  return {
    totalS: stages.reduce((sum, stage) => sum + stage.durationS, 0),
    elapsedS: (): number => (performance.now() - t0) / 1_000,
  };
}

export async function runRampingVus(
  executor: RampingVus,
  run: ExecutorRun,
): Promise<ExecutorResult> {
  const { totalS, elapsedS } = runClock(executor.stages);
  const wanted = (): number => Math.round(targetAt(executor.startVus, executor.stages, elapsedS()));
  const active = new Map<number, Promise<void>>();
  const user = async (index: number): Promise<void> => {
    while (!run.aborted() && elapsedS() < totalS && index < wanted()) await run.iterate();
  };
  while (!run.aborted() && elapsedS() < totalS) {
    const target = wanted();
    for (let index = 0; index < target; index += 1) {
      if (active.has(index)) continue;
      // `finally` runs asynchronously, so the entry is always set before it is deleted.
      active.set(
        index,
        user(index).finally(() => active.delete(index)),
      );
    }
    await sleep(VU_TICK_MS);
  }
  await Promise.all(active.values());
  return { durationS: elapsedS(), dropped: 0 };
}

export async function runRampingArrivalRate(
  executor: RampingArrivalRate,
  run: ExecutorRun,
): Promise<ExecutorResult> {
  const { totalS, elapsedS } = runClock(executor.stages);
  const running = new Set<Promise<void>>();
  let arrived = 0;
  let dropped = 0;
  const startDue = (atS: number): void => {
    const due = Math.floor(arrivalsBy(executor.startRate, executor.stages, Math.min(atS, totalS)));
    // A late wake-up starts every arrival that came due since, so the rate does not sag.
    for (; arrived < due; arrived += 1) {
      if (running.size >= executor.maxVus) {
        dropped += 1;
        run.onDropped?.();
        continue;
      }
      const journey: Promise<void> = run.iterate().finally(() => running.delete(journey));
      running.add(journey);
    }
  };
  while (!run.aborted() && elapsedS() < totalS) {
    startDue(elapsedS());
    await sleep(ARRIVAL_TICK_MS);
  }
  // The last tick may have come a little before the end: the schedule's tail is due too.
  if (!run.aborted()) startDue(totalS);
  await Promise.all(running);
  return { durationS: elapsedS(), dropped };
}
