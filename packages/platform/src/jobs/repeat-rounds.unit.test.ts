import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logger.js';
import { repeatRounds } from './repeat-rounds.js';

const logger = createLogger('test', 'silent');

describe('repeatRounds', () => {
  it('runs rounds one at a time, waiting what each round asks, and again after a failure', async () => {
    vi.useFakeTimers();
    try {
      const started: number[] = [];
      let active = 0;
      let overlapped = false;
      const answers: (number | Error)[] = [0, new Error('database away'), 50];
      const rounds = repeatRounds({
        name: 'test',
        logger,
        intervalMs: 100,
        round: async () => {
          started.push(Date.now());
          active += 1;
          overlapped ||= active > 1;
          await new Promise((resolve) => setTimeout(resolve, 30));
          active -= 1;
          const answer = answers.shift() ?? 100;
          if (answer instanceof Error) throw answer;
          return answer;
        },
      });
      const t0 = Date.now();
      await vi.advanceTimersByTimeAsync(400);
      await rounds.stop();
      // First after 100; the next at once after its 30 ms (Node makes a 0 ms timer 1 ms);
      // after the failure 100 more; then the 50 the third round asked for.
      expect(started.slice(0, 4).map((at) => at - t0)).toEqual([100, 131, 261, 341]);
      expect(overlapped).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stop waits for the round in flight and starts no other', async () => {
    vi.useFakeTimers();
    try {
      let finished = 0;
      let sawStopping = false;
      const rounds = repeatRounds({
        name: 'test',
        logger,
        intervalMs: 10,
        round: async (stopping) => {
          await new Promise((resolve) => setTimeout(resolve, 50));
          sawStopping = stopping();
          finished += 1;
          return 0;
        },
      });
      await vi.advanceTimersByTimeAsync(20);
      const stopped = rounds.stop();
      await vi.advanceTimersByTimeAsync(100);
      await stopped;
      expect(finished).toBe(1);
      expect(sawStopping).toBe(true);
      await vi.advanceTimersByTimeAsync(1000);
      expect(finished).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
