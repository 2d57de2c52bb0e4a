import { describe, expect, it } from 'vitest';
import {
  arrivalsBy,
  judgeThreshold,
  peakVus,
  SCENARIO_NAMES,
  scaled,
  scenarios,
  type Threshold,
  targetAt,
  thresholdExpression,
  totalDurationS,
} from '../../deploy/k6/scenarios.js';

const usersHeld = (name: 'light' | 'medium' | 'heavy') => {
  const { executor } = scenarios[name];
  if (executor.executor !== 'ramping-vus') throw new Error(`${name} is not closed-loop`);
  return executor.stages;
};

describe('the load scenarios', () => {
  it("hold seed 001's users for seed 001's durations, after a ramp up, then ramp down", () => {
    expect(usersHeld('light')).toEqual([
      { durationS: 5, target: 5 },
      { durationS: 30, target: 5 },
      { durationS: 5, target: 0 },
    ]);
    expect(usersHeld('medium')[1]).toEqual({ durationS: 60, target: 10 });
    expect(usersHeld('heavy')[1]).toEqual({ durationS: 120, target: 25 });
    expect(scenarios.light.pauseS).toBe(0.2);
    expect(scenarios.heavy.pauseS).toBe(0.05);
  });

  it('spike jumps from 5 to 50 users within seconds, holds, and falls back to 5', () => {
    const { executor } = scenarios.spike;
    expect(executor).toMatchObject({ executor: 'ramping-vus', startVus: 5 });
    const targets = executor.stages.map((stage) => stage.target);
    expect(targets).toEqual([5, 50, 50, 5, 5]);
    const jump = executor.stages[1];
    expect(jump?.durationS).toBeLessThanOrEqual(5);
    expect(peakVus(executor)).toBe(50);
  });

  it('soak holds a moderate load longest; stress raises an arrival rate and may stop early', () => {
    const closedLoops = SCENARIO_NAMES.filter((name) => name !== 'soak' && name !== 'stress');
    for (const name of closedLoops) {
      expect(totalDurationS(scenarios.soak)).toBeGreaterThan(totalDurationS(scenarios[name]));
    }
    expect(peakVus(scenarios.soak.executor)).toBeLessThan(peakVus(scenarios.heavy.executor));
    const stress = scenarios.stress.executor;
    expect(stress.executor).toBe('ramping-arrival-rate');
    const rates = stress.stages.map((stage) => stage.target);
    expect(rates).toEqual([...rates].sort((a, b) => a - b));
    expect(scenarios.stress.thresholds.some((t) => t.abortOnFail === true)).toBe(true);
  });

  it("judges every scenario by issue 12's targets, not the seed's", () => {
    for (const name of SCENARIO_NAMES) {
      const expressions = scenarios[name].thresholds.map(
        (t) => `${t.metric} ${thresholdExpression(t)}`,
      );
      expect(expressions).toEqual(
        expect.arrayContaining([
          'http_req_duration p(99)<=100',
          'http_req_failed rate==0',
          'checks rate==1',
          'routing_lag_refusals count==0',
        ]),
      );
      const abortable = scenarios[name].thresholds.filter((t) => t.abortOnFail === true);
      expect(abortable.length > 0).toBe(name === 'stress');
    }
    expect(scenarios.stress.thresholds).toContainEqual(
      expect.objectContaining({ metric: 'dropped_iterations', abortOnFail: true }),
    );
  });
});

describe('scaled', () => {
  it('multiplies every stage by the factor, in whole seconds of at least 1', () => {
    const quarter = scaled(scenarios.light, 0.25);
    expect(quarter.executor.stages.map((stage) => stage.durationS)).toEqual([1, 8, 1]);
    expect(quarter.executor.stages.map((stage) => stage.target)).toEqual([5, 5, 0]);
    expect(scenarios.light.executor.stages[1]?.durationS).toBe(30);
    expect(quarter.thresholds).toBe(scenarios.light.thresholds);
  });

  it('refuses a factor that is not positive', () => {
    expect(() => scaled(scenarios.light, 0)).toThrow(/positive/);
    expect(() => scaled(scenarios.light, Number.NaN)).toThrow(/positive/);
  });
});

describe('targetAt and arrivalsBy', () => {
  const stages = [
    { durationS: 10, target: 10 },
    { durationS: 10, target: 10 },
    { durationS: 10, target: 0 },
  ];

  it('ramps linearly within a stage, as k6 does', () => {
    expect(targetAt(0, stages, 0)).toBe(0);
    expect(targetAt(0, stages, 5)).toBe(5);
    expect(targetAt(0, stages, 15)).toBe(10);
    expect(targetAt(0, stages, 25)).toBe(5);
    expect(targetAt(0, stages, 99)).toBe(0);
  });

  it('counts the arrivals as the area under the rate', () => {
    expect(arrivalsBy(0, stages, 10)).toBe(50);
    expect(arrivalsBy(0, stages, 20)).toBe(150);
    expect(arrivalsBy(0, stages, 30)).toBe(200);
    expect(arrivalsBy(0, stages, 60)).toBe(200);
    expect(arrivalsBy(4, [{ durationS: 2, target: 4 }], 1)).toBe(4);
  });
});

describe('judgeThreshold', () => {
  const p99: Threshold = {
    metric: 'http_req_duration',
    statistic: 'p(99)',
    comparison: '<=',
    value: 100,
  };
  const noFailures: Threshold = {
    metric: 'http_req_failed',
    statistic: 'rate',
    comparison: '==',
    value: 0,
  };

  it('passes a figure within the target and fails one beyond it', () => {
    expect(judgeThreshold(p99, { http_req_duration: { 'p(99)': 100 } }).passed).toBe(true);
    expect(judgeThreshold(p99, { http_req_duration: { 'p(99)': 100.5 } }).passed).toBe(false);
    expect(judgeThreshold(noFailures, { http_req_failed: { rate: 0 } }).passed).toBe(true);
    expect(judgeThreshold(noFailures, { http_req_failed: { rate: 0.001 } }).passed).toBe(false);
  });

  it('says "not measured" rather than passing a metric with no sample', () => {
    const verdict = judgeThreshold(p99, {});
    expect(verdict).toMatchObject({ passed: undefined, measured: undefined });
    expect(verdict.expression).toBe('p(99)<=100');
  });
});
