import { createServer, type Server, type Socket } from 'node:net';
import { connect, TimeoutError } from '@nats-io/transport-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dependencyFailureOf } from './dependency-failure.js';
import { ValidationError } from './errors.js';

/** A port that takes connections and never says a word: a database that hangs. */
let silent: Server;
let silentPort: number;
const heldSockets = new Set<Socket>();
beforeAll(async () => {
  silent = createServer((socket) => heldSockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as { port: number }).port;
});
afterAll(async () => {
  for (const socket of heldSockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

/** A loopback port nothing listens on: taken and released, so a connection is refused. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const thrownBy = (work: () => Promise<unknown>): Promise<unknown> =>
  work().then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );

describe('dependencyFailureOf', () => {
  it('makes a database that refuses connections a 503 naming the database, with the error as cause', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: await closedPort() });
    const error = await thrownBy(() => client.connect());
    const failure = dependencyFailureOf(error);
    expect(failure?.code).toBe('unavailable');
    expect(failure?.message).toMatch(/database/);
    expect(failure?.cause).toBe(error);
  });

  it('makes a connection never answered within the pool timeout a 503', async () => {
    const pool = new pg.Pool({ host: '127.0.0.1', port: silentPort, connectionTimeoutMillis: 50 });
    pool.on('error', () => undefined);
    const error = await thrownBy(() => pool.query('select 1'));
    await pool.end().catch(() => undefined);
    expect(dependencyFailureOf(error)?.code).toBe('unavailable');
  });

  it('makes a query that waited too long for a connection of a full pool a 503', async () => {
    const pool = new pg.Pool({
      host: '127.0.0.1',
      port: silentPort,
      max: 1,
      connectionTimeoutMillis: 50,
    });
    pool.on('error', () => undefined);
    // The second query waits in the pool's queue behind the first, which holds the one slot.
    const [first, queued] = await Promise.all([
      thrownBy(() => pool.query('select 1')),
      thrownBy(() => pool.query('select 2')),
    ]);
    await pool.end().catch(() => undefined);
    expect(dependencyFailureOf(first)?.code).toBe('unavailable');
    expect(dependencyFailureOf(queued)?.code).toBe('unavailable');
  });

  it('makes a NATS server out of reach, or one that does not answer in time, a 503 naming the bus', async () => {
    const error = await thrownBy(() =>
      connect({ servers: `nats://127.0.0.1:${String(silentPort)}`, timeout: 50, reconnect: false }),
    );
    expect(dependencyFailureOf(error)?.code).toBe('unavailable');
    expect(dependencyFailureOf(new TimeoutError())?.message).toMatch(/message bus/);
  });

  it('leaves bugs and refusals alone: they are not a dependency failing', () => {
    expect(dependencyFailureOf(new TypeError('x is undefined'))).toBeUndefined();
    expect(dependencyFailureOf(new ValidationError([]))).toBeUndefined();
    expect(dependencyFailureOf('a string')).toBeUndefined();
    // A query PostgreSQL refused (a syntax error, a constraint) is the query's fault.
    expect(
      dependencyFailureOf(Object.assign(new Error('boom'), { code: '42601' })),
    ).toBeUndefined();
  });
});
