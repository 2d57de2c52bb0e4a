import { RECEIPT_UPLOAD_MAX_BYTES } from '@countersign/contracts';
import { demoUsers } from '@countersign/demo-data';
import { MAX_BODY_BYTES } from '@countersign/platform';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changedTables, type TableState, tableState } from '../support/hostile/business-tables.js';
import { judge } from '../support/hostile/contract-oracle.js';
import { answerFault, describeRequest, refusalFault } from '../support/hostile/expectations.js';
import { HostileFigures } from '../support/hostile/figures.js';
import {
  type Caller,
  type HostileRequest,
  hostileRequest,
  literalSegmentsOf,
} from '../support/hostile/hostile-request.js';
import { HttpProbe } from '../support/hostile/http-probe.js';
import { fetchOperations, type Operation } from '../support/hostile/openapi-operations.js';
import {
  closesConnection,
  converse,
  writeChunked,
  writeWithLength,
} from '../support/hostile/raw-connection.js';
import { routeContracts } from '../support/hostile/route-contracts.js';
import { eventually, gatewayUrl, login, ports, TestCluster } from '../support/test-cluster.js';

/** Generated requests per route (HOSTILE_RUNS; `npm run chaos` may ask for more). */
const RUNS_PER_ROUTE = Number(process.env.HOSTILE_RUNS ?? 20);
/** Requests sent at once, each on its own kept-alive connection. */
const BATCH = 4;
/** Replays a failed run: fast-check prints the seed (and path) of the run that failed. */
const SEED = process.env.HOSTILE_SEED === undefined ? undefined : Number(process.env.HOSTILE_SEED);

const CALLERS = ['grace', 'frank', 'alice', 'hannah', 'ivan'];

let cluster: TestCluster;
let callers: Caller[];
let operations: Operation[];
let probe: HttpProbe;
let before: TableState;
const figures = new HostileFigures();
/** Generated requests the contracts accept: sent apart, after the nothing-written check. */
const accepted: HostileRequest[] = [];
const acceptedFigures = new HostileFigures();
const started = performance.now();

/** The tables once the demo data's events have settled: the same twice in a row. */
async function settledTableState(): Promise<TableState> {
  let last = await tableState(cluster.db);
  return eventually(async () => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const next = await tableState(cluster.db);
    const settled = changedTables(last, next).length === 0;
    last = next;
    return settled ? next : undefined;
  }, 60_000);
}

beforeAll(async () => {
  cluster = await TestCluster.start();
  callers = await Promise.all(
    CALLERS.map(async (name) => ({
      name,
      role: demoUsers.find((user) => user.email.startsWith(`${name}@`))?.role ?? 'missing',
      token: await login(name),
    })),
  );
  operations = await fetchOperations(gatewayUrl);
  probe = new HttpProbe(gatewayUrl, BATCH);
  before = await settledTableState();
});

afterAll(async () => {
  await probe?.close();
  await cluster?.stop();
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  const routes = operations?.length ?? 0;
  console.log(
    [
      figures.table(
        `hostile input, refused by the contracts: ${figures.sent} requests on ${routes} routes`,
      ),
      acceptedFigures.table(
        `hostile input, accepted by the contracts: ${acceptedFigures.sent} requests`,
      ),
      `whole file: ${seconds} s (HOSTILE_RUNS=${RUNS_PER_ROUTE} per route)`,
    ].join('\n'),
  );
});

describe('generated hostile input on every route of /openapi.json', () => {
  it('is refused with a 4xx problem+json naming the bad field, never a 5xx or a dropped connection', async () => {
    expect(operations.length).toBeGreaterThan(80);
    const literalSegments = literalSegmentsOf(operations);
    for (const operation of operations) {
      const route = routeContracts.get(`${operation.method} ${operation.path}`);
      expect(route, `${operation.method} ${operation.path} has a contract`).toBeDefined();
      if (!route) continue;
      const batch = fc.array(hostileRequest(operation, callers, literalSegments), {
        minLength: BATCH,
        maxLength: BATCH,
      });
      await fc.assert(
        fc.asyncProperty(batch, async (requests) => {
          const faults = await Promise.all(
            requests.map(async (request) => {
              const verdict = await judge(request, route);
              if (verdict.reasons.length === 0) {
                accepted.push(request);
                return undefined;
              }
              const result = await probe.send(request);
              figures.record(operation, result.kind === 'answered' ? result.status : 'dropped');
              const fault = refusalFault(result, verdict);
              return fault && `${fault}\n  ${describeRequest(request, verdict, result)}`;
            }),
          );
          const found = faults.filter((fault) => fault !== undefined);
          if (found.length > 0) throw new Error(found.join('\n'));
        }),
        {
          numRuns: Math.ceil(RUNS_PER_ROUTE / BATCH),
          endOnFailure: true,
          ...(SEED === undefined ? {} : { seed: SEED }),
        },
      );
    }
  }, 600_000);

  it('wrote nothing: every business table holds the rows it held before', async () => {
    // Every service's tables are watched, not a handful.
    expect(before.size).toBeGreaterThan(40);
    expect(changedTables(before, await tableState(cluster.db))).toEqual([]);
  });
});

describe('generated requests the contracts accept (hostile values in valid places)', () => {
  // Sent after the nothing-written check, as they may write: text with NUL, bidi overrides
  // or SQL in a field that takes any text reaches the database.
  it('are answered without a 5xx or a dropped connection; a refusal is problem+json', async () => {
    expect(accepted.length).toBeGreaterThan(0);
    const faults: string[] = [];
    for (let start = 0; start < accepted.length; start += BATCH) {
      await Promise.all(
        accepted.slice(start, start + BATCH).map(async (request) => {
          const result = await probe.send(request);
          acceptedFigures.record(
            request.operation,
            result.kind === 'answered' ? result.status : 'dropped',
          );
          const fault = answerFault(result);
          if (fault)
            faults.push(
              `${fault}\n  ${describeRequest(request, { reasons: [], fieldPaths: new Set() }, result)}`,
            );
        }),
      );
    }
    expect(faults).toEqual([]);
  }, 600_000);
});

describe('a body refused as too large, then the next request on the same connection', () => {
  const nextRequest = (token: string) =>
    `GET /api/users/me HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`;
  const cases = [
    {
      route: 'a JSON route',
      head: 'POST /api/expenses HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n',
      size: MAX_BODY_BYTES + 1,
    },
    {
      route: 'the receipt upload',
      head: 'POST /api/expenses/0197b000-0000-7000-8000-00000000dead/receipts HTTP/1.1\r\nHost: test\r\nContent-Type: multipart/form-data; boundary=x\r\n',
      size: RECEIPT_UPLOAD_MAX_BYTES + 1,
    },
  ];
  for (const framing of [
    { name: 'Content-Length', write: writeWithLength },
    { name: 'chunked', write: writeChunked },
  ]) {
    for (const { route, head, size } of cases) {
      it(`answers 413, then the next request (${route}, ${framing.name})`, async () => {
        const grace = callers.find((caller) => caller.name === 'grace')?.token ?? '';
        const { answers, reset } = await converse(ports.gateway, (socket) => {
          framing.write(
            socket,
            `${head}Authorization: Bearer ${grace}\r\n`,
            Buffer.alloc(size, 'x'),
          );
          socket.write(nextRequest(grace));
        });
        expect(reset).toBe(false);
        expect(answers[0]).toMatch(/^HTTP\/1\.1 413 /);
        expect(answers[0]).toContain('application/problem+json');
        expect(closesConnection(answers[0])).toBe(false);
        expect(answers).toHaveLength(2);
        expect(answers[1]).toMatch(/^HTTP\/1\.1 200 /);
        expect(answers[1]).toContain('"email":"grace@techcorp.example"');
      });
    }
  }
});
