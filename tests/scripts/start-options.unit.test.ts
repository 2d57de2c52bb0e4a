import { describe, expect, it } from 'vitest';
import { BENCH_LIMIT_ENV, MIN_BENCH_LIMIT } from '../../scripts/bench/limits.js';
import { mailSinkPort, parseStartOptions, StartOptionsError } from '../../scripts/start-options.js';

describe('npm start options', () => {
  it('defaults to one replica on the usual ports', () => {
    expect(parseStartOptions([])).toEqual({
      replicas: 1,
      portBase: 4000,
      natsCluster: undefined,
      bench: false,
    });
  });

  it('reads --replicas and --port-base, in either spelling', () => {
    expect(parseStartOptions(['--replicas', '2', '--port-base=17000'])).toEqual({
      replicas: 2,
      portBase: 17000,
      natsCluster: undefined,
      bench: false,
    });
  });

  it('reads --bench: the gateway gets the limits the bench checks for', () => {
    expect(parseStartOptions(['--bench']).bench).toBe(true);
    // The bench refuses a limit under MIN_BENCH_LIMIT; --bench must clear it even over 16 replicas.
    for (const name of ['RATE_LIMIT_IP_PER_WINDOW', 'RATE_LIMIT_USER_PER_WINDOW']) {
      expect(Number(BENCH_LIMIT_ENV[name]) / 16).toBeGreaterThanOrEqual(MIN_BENCH_LIMIT);
    }
  });

  it('reads --nats-cluster beside --replicas', () => {
    expect(parseStartOptions(['--replicas', '2', '--nats-cluster', '3'])).toMatchObject({
      replicas: 2,
      natsCluster: 3,
    });
    expect(parseStartOptions(['--nats-cluster=1']).natsCluster).toBe(1);
  });

  it.each([
    [['--replicas', '0']],
    [['--replicas', '1.5']],
    [['--replicas', 'two']],
    [['--replicas', '17']],
    [['--port-base', '80']],
    [['--port-base', '65500']],
    [['--replica', '2']],
    [['--nats-cluster', '0']],
    [['--nats-cluster', '6']],
    [['--nats-cluster']],
    [['extra']],
  ])('refuses %j with a message for the user', (argv) => {
    expect(() => parseStartOptions(argv)).toThrow(StartOptionsError);
  });
});

describe('the mail sink beside a cluster', () => {
  it('keeps 2525 for the default ports and moves with another base', () => {
    expect(mailSinkPort(parseStartOptions([]))).toBe(2525);
    expect(mailSinkPort(parseStartOptions(['--port-base', '17000']))).toBe(17025);
  });
});
