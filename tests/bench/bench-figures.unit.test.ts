import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { isRoutingLagRefusal } from '../../scripts/bench/api.js';
import { parsePhases, parsePidOverride } from '../../scripts/bench/config.js';
import { childPids, listeningInodes, parseStatTicks } from '../../scripts/bench/proc-cpu.js';
import { judgeTargets } from '../../scripts/bench/targets.js';

describe('reading /proc', () => {
  it('adds utime and stime, counting fields after a command name with spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    // Fields 14 and 15 (utime, stime) hold 14 and 15 here: 3 + index.
    const stat = `4242 (node (main) x) ${fields.join(' ')}`;
    expect(parseStatTicks(stat)).toBe(14 + 15);
  });

  it('finds the inodes of sockets listening on a port, and only listening ones', () => {
    const table = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:2774 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1',
      '   1: 0100007F:2774 0100007F:D0F2 01 00000000:00000000 00:00000000 00000000     0        0 222 1',
      '   2: 0100007F:2775 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 333 1',
    ].join('\n');
    expect(listeningInodes(table, 10100)).toEqual(['111']);
    expect(listeningInodes(table, 4000)).toEqual([]);
  });

  it("finds a process's children (a replica launcher's workers), and not itself", async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    try {
      expect(child.pid).toBeDefined();
      expect(childPids(process.pid)).toContain(child.pid);
      expect(childPids(process.pid)).not.toContain(process.pid);
    } finally {
      const exited = once(child, 'exit');
      child.kill();
      await exited;
    }
  });
});

describe('settings', () => {
  it('runs every phase by default and the named ones, in the bench order, otherwise', () => {
    expect([...parsePhases(undefined)]).toEqual(['sequential', 'routing', 'closed', 'open', 'sse']);
    expect([...parsePhases('open, sequential')]).toEqual(['sequential', 'open']);
    expect(() => parsePhases('closed,warp')).toThrow(/warp/);
  });

  it('reads BENCH_PIDS groups with several pids each', () => {
    expect(parsePidOverride('gateway=12,expense=34+35')).toEqual(
      new Map([
        ['gateway', [12]],
        ['expense', [34, 35]],
      ]),
    );
    expect(() => parsePidOverride('gateway=abc')).toThrow(/BENCH_PIDS/);
  });
});

describe('an approve refused because routing lagged', () => {
  it('is a 404, or a 409 that says the expense is not routed', () => {
    expect(isRoutingLagRefusal({ status: 404, text: '{"detail":"no approval chain"}' })).toBe(true);
    expect(isRoutingLagRefusal({ status: 409, text: '{"detail":"not routed yet"}' })).toBe(true);
    expect(
      isRoutingLagRefusal({ status: 409, text: '{"detail":"the expense is already approved"}' }),
    ).toBe(false);
    expect(isRoutingLagRefusal({ status: 200, text: '{}' })).toBe(false);
  });
});

describe('the verdict against the targets', () => {
  const verdictOf = (measure: string, figures: Parameters<typeof judgeTargets>[0]) =>
    judgeTargets(figures).find((v) => v.measure === measure);

  it('says met, or missed by how much, and not measured when a phase did not run', () => {
    const closed = { req_per_s: 500, p99_ms: 80, errors: 0 };
    expect(verdictOf('closed loop: req/s', { closed })).toMatchObject({
      met: false,
      verdict: 'missed by 500 req/s (50.0% of the target)',
    });
    expect(verdictOf('closed loop: p99', { closed })).toMatchObject({ met: true, verdict: 'met' });
    expect(
      verdictOf('CPU per create, all processes', { cpuPerRequestMs: { create: 6 } }),
    ).toMatchObject({
      met: false,
      verdict: 'missed by 2.00 ms (1.5× the target)',
    });
    expect(verdictOf('open loop: p99', {})).toMatchObject({ met: null, verdict: 'not measured' });
  });

  it('counts a routing backlog that never drained as missed', () => {
    expect(verdictOf('routing backlog drained after load', { backlogDrainMs: null })).toMatchObject(
      {
        met: false,
        verdict: 'never reached',
      },
    );
  });

  it('wants fewer commits per create under load than idle', () => {
    const measure = 'PostgreSQL commits per create, under load (< idle)';
    expect(verdictOf(measure, { commitsPerCreate: { idle: 6, load: 5 } })?.met).toBe(true);
    expect(verdictOf(measure, { commitsPerCreate: { idle: 6, load: 6 } })?.met).toBe(false);
    expect(verdictOf(measure, { commitsPerCreate: { load: 5 } })?.met).toBe(null);
  });
});
