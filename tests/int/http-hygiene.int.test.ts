import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import {
  callService,
  callServiceStreaming,
  createLogger,
  createServiceApp,
  currentAuditScope,
  DRAIN_LIMIT_BYTES,
  MAX_BODY_BYTES,
  type RunningServer,
  ServiceMetrics,
  serveHttp,
} from '@countersign/platform';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountDocs } from '../../services/gateway/src/http/docs.js';

let server: RunningServer;

beforeAll(async () => {
  const app = createServiceApp(createLogger('http-hygiene', 'silent'), [], undefined, {
    largeBodyRoutes: [{ method: 'POST', path: /^\/upload$/, maxBytes: UPLOAD_LIMIT_BYTES }],
  });
  app.post('/echo', async (c) => c.json({ bytes: (await c.req.text()).length }));
  app.post('/upload', async (c) => c.json({ bytes: (await c.req.arrayBuffer()).byteLength }));
  app.get('/hello', (c) => c.json({ hello: 'world' }));
  server = await serveHttp(app, '127.0.0.1', 0);
});
afterAll(async () => server?.close());

/**
 * Everything the server sends on one raw connection until it closes it (or 3 s pass, then
 * `closed` is false).
 */
async function converse(
  writes: (socket: Socket) => void,
): Promise<{ text: string; closed: boolean }> {
  const socket = connect(server.port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  writes(socket);
  const closed = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, 3000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.on('error', () => undefined);
  });
  return { text: Buffer.concat(chunks).toString('latin1'), closed };
}

/** A route that takes larger bodies (a file upload), with its own limit. */
const UPLOAD_LIMIT_BYTES = 2 * MAX_BODY_BYTES;

/** The answers in what one connection received, each starting at its status line. */
const answersIn = (text: string) => text.split(/(?=HTTP\/1\.1 \d{3} )/);
const closesConnection = (answer: string | undefined) =>
  /\r\nconnection: close\r\n/i.test(answer ?? '');
/** A last request that asks the server to close the connection once it has answered. */
const FINAL_HELLO = 'GET /hello HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n';

function sendWithLength(socket: Socket, path: string, body: Buffer): void {
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
  );
  socket.write(body);
}

/** The body in chunks of at most 1 MiB, then the last chunk. */
function sendChunked(socket: Socket, path: string, body: Buffer): void {
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
  );
  for (let start = 0; start < body.length; start += 1024 * 1024) {
    const chunk = body.subarray(start, start + 1024 * 1024);
    socket.write(`${chunk.length.toString(16)}\r\n`);
    socket.write(chunk);
    socket.write('\r\n');
  }
  socket.write('0\r\n\r\n');
}

describe('a body refused as too large on a kept-alive connection', () => {
  const framings = [
    { framing: 'Content-Length', send: sendWithLength },
    { framing: 'chunked', send: sendChunked },
  ];
  const routes = [
    { route: 'a JSON route', path: '/echo', limit: MAX_BODY_BYTES },
    { route: 'an upload route with its own limit', path: '/upload', limit: UPLOAD_LIMIT_BYTES },
  ];

  for (const { framing, send } of framings) {
    for (const { route, path, limit } of routes) {
      it(`is answered 413 and the next request on the connection is answered (${framing}, ${route})`, async () => {
        const { text, closed } = await converse((socket) => {
          send(socket, path, Buffer.alloc(limit + 1, 'x'));
          socket.write(FINAL_HELLO);
        });
        const answers = answersIn(text);
        expect(answers[0]).toMatch(/^HTTP\/1\.1 413 /);
        expect(answers[0]).toContain('application/problem+json');
        // The whole body was read, so the connection is still good for the next request.
        expect(closesConnection(answers[0])).toBe(false);
        // That request was not read as part of (or instead of) the refused body.
        expect(answers).toHaveLength(2);
        expect(answers[1]).toMatch(/^HTTP\/1\.1 200 /);
        expect(answers[1]).toContain('{"hello":"world"}');
        expect(closed).toBe(true);
      });
    }

    it(`closes the connection, saying so, after a body beyond the drain bound (${framing})`, async () => {
      const { text, closed } = await converse((socket) => {
        send(socket, '/echo', Buffer.alloc(DRAIN_LIMIT_BYTES + 1024 * 1024, 'x'));
        socket.write(FINAL_HELLO);
      });
      const answers = answersIn(text);
      expect(answers[0]).toMatch(/^HTTP\/1\.1 413 /);
      expect(closesConnection(answers[0])).toBe(true);
      // Nothing after the refused body was taken for a request.
      expect(answers).toHaveLength(1);
      expect(closed).toBe(true);
    });
  }

  it('takes a body within the upload route’s own limit', async () => {
    const { text } = await converse((socket) => {
      sendWithLength(socket, '/upload', Buffer.alloc(UPLOAD_LIMIT_BYTES, 'x'));
      socket.write(FINAL_HELLO);
    });
    const answers = answersIn(text);
    expect(answers[0]).toMatch(/^HTTP\/1\.1 200 /);
    expect(answers[0]).toContain(`{"bytes":${UPLOAD_LIMIT_BYTES}}`);
    expect(answers[1]).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('keeps the connection for the next request after a body within the limit', async () => {
    const { text } = await converse((socket) => {
      socket.write(
        'POST /echo HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
      );
      socket.write(FINAL_HELLO);
    });
    expect(text.match(/HTTP\/1\.1 200 /g)).toHaveLength(2);
  });
});

describe('a request Node cannot parse', () => {
  it('is answered with problem+json, not a bare status line: headers too large (431)', async () => {
    const { text, closed } = await converse((socket) => {
      socket.write(`GET /hello HTTP/1.1\r\nHost: test\r\nX-Padding: ${'x'.repeat(20_000)}\r\n\r\n`);
    });
    expect(text).toMatch(/^HTTP\/1\.1 431 /);
    expect(text).toContain('application/problem+json');
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 431 });
    expect(closed).toBe(true);
  });

  it('is answered with problem+json, not a bare status line: a malformed request (400)', async () => {
    const { text, closed } = await converse((socket) => {
      socket.write('GET /hello HTTP/1.1\r\nHost: test\r\nBad Header\r\n\r\n');
    });
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({
      status: 400,
      title: 'Malformed request',
    });
    expect(closed).toBe(true);
  });
});

describe('security headers', () => {
  it('every answer says nosniff and may not be framed; no HSTS over plain HTTP', async () => {
    for (const path of ['/hello', '/healthz', '/no-such-route']) {
      const answer = await fetch(`http://127.0.0.1:${server.port}${path}`, {
        headers: { 'x-forwarded-proto': 'https' },
      });
      await answer.arrayBuffer();
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      // Not behind a trusted proxy: the client's own X-Forwarded-Proto means nothing.
      expect(answer.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('HSTS when the trusted proxy in front says the client came over TLS', async () => {
    const app = createServiceApp(createLogger('http-hygiene', 'silent'), [], undefined, {
      trustForwardedProto: true,
    });
    app.get('/hello', (c) => c.json({ hello: 'world' }));
    const proxied = await serveHttp(app, '127.0.0.1', 0);
    try {
      const over = (proto: string) =>
        fetch(`http://127.0.0.1:${proxied.port}/hello`, {
          headers: { 'x-forwarded-proto': proto },
        });
      expect((await over('https')).headers.get('strict-transport-security')).toBe(
        'max-age=31536000; includeSubDomains',
      );
      expect((await over('http')).headers.get('strict-transport-security')).toBeNull();
    } finally {
      await proxied.close();
    }
  });

  it('the gateway /docs page has a CSP that allows only its own scripts, styles and API', async () => {
    const app = new Hono();
    mountDocs(app);
    const answer = await app.request('/docs');
    const csp = answer.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    // Every script the page loads is a file of ours (an inline one would be blocked).
    const page = await answer.text();
    expect(page).not.toMatch(/<script>(?!<\/script>)/);
    for (const src of page.matchAll(/src="([^"]+)"/g)) {
      expect((await app.request(src[1] ?? '')).status).toBe(200);
    }
  });
});

describe('/readyz', () => {
  const OPERATOR_TOKEN = 'operator-token-0123456789';
  const checks = [{ name: 'database', check: () => true }];
  const figures = async () => ({ dead_letters: 3 });

  async function readyz(
    options: Parameters<typeof createServiceApp>[3],
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: unknown }> {
    const app = createServiceApp(createLogger('readyz', 'silent'), checks, figures, options);
    const running = await serveHttp(app, '127.0.0.1', 0);
    try {
      const answer = await fetch(`http://127.0.0.1:${running.port}/readyz`, { headers });
      return { status: answer.status, body: await answer.json() };
    } finally {
      await running.close();
    }
  }

  it('tells the public door’s clients its status only', async () => {
    expect(await readyz({ publicDoor: true })).toEqual({ status: 200, body: { status: 'ready' } });
  });

  it('gives the checks and figures to an operator with the METRICS_TOKEN, and to nobody else', async () => {
    const metrics = new ServiceMetrics({
      service: 'readyz',
      processMetrics: false,
      scrapeToken: OPERATOR_TOKEN,
    });
    const details = {
      status: 'ready',
      checks: { database: true },
      figures: { dead_letters: 3 },
    };
    for (const publicDoor of [true, false]) {
      expect(
        (await readyz({ publicDoor, metrics }, { authorization: `Bearer ${OPERATOR_TOKEN}` })).body,
      ).toEqual(details);
      expect((await readyz({ publicDoor, metrics })).body).toEqual({ status: 'ready' });
      expect(
        (await readyz({ publicDoor, metrics }, { authorization: 'Bearer guessed-token-0123456' }))
          .body,
      ).toEqual({ status: 'ready' });
    }
  });

  it('gives them on an internal service’s port when no token is set (the services behind the gateway)', async () => {
    expect((await readyz({})).body).toEqual({
      status: 'ready',
      checks: { database: true },
      figures: { dead_letters: 3 },
    });
  });
});

describe('a service that does not answer', () => {
  it('is named in the 503 problem, and its host and port are not', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const internalUrl = `http://127.0.0.1:${port}`;
    const app = createServiceApp(createLogger('upstream', 'silent'), []);
    app.get('/named', async (c) =>
      c.json(
        await callService(internalUrl, {
          method: 'GET',
          service: 'expense',
          path: '/x',
          token: 't',
        }),
      ),
    );
    app.get('/unnamed', async (c) =>
      c.json(await callService(internalUrl, { method: 'GET', path: '/x', token: 't' })),
    );
    app.get('/streamed', async (c) =>
      c.json(
        await callServiceStreaming(internalUrl, {
          method: 'GET',
          service: 'expense',
          path: '/x',
          token: 't',
        }),
      ),
    );
    const running = await serveHttp(app, '127.0.0.1', 0);
    try {
      for (const path of ['/named', '/unnamed', '/streamed']) {
        const answer = await fetch(`http://127.0.0.1:${running.port}${path}`);
        const text = await answer.text();
        expect(answer.status).toBe(503);
        expect(text).not.toContain('127.0.0.1');
        expect(text).not.toContain(String(port));
        expect(text).not.toMatch(/ECONNREFUSED|connect/i);
        expect(JSON.parse(text).detail).toMatch(
          path === '/unnamed'
            ? /^the upstream service did not answer/
            : /^the expense service did not answer/,
        );
      }
    } finally {
      await running.close();
    }
  });
});

describe('a request id the client chose', () => {
  it('is marked as the client’s at the public door, in the answer and the audit scope', async () => {
    const app = createServiceApp(createLogger('request-id', 'silent'), [], undefined, {
      publicDoor: true,
    });
    app.get('/scope', (c) => c.json({ audit_request_id: currentAuditScope().requestId ?? null }));
    const running = await serveHttp(app, '127.0.0.1', 0);
    try {
      const ask = async (id: string) => {
        const answer = await fetch(`http://127.0.0.1:${running.port}/scope`, {
          headers: { 'x-request-id': id },
        });
        const body = (await answer.json()) as { audit_request_id: string };
        return { header: answer.headers.get('x-request-id'), audit: body.audit_request_id };
      };
      expect(await ask('checkout-42')).toEqual({
        header: 'client:checkout-42',
        audit: 'client:checkout-42',
      });
      const replaced = await ask('x'.repeat(200));
      expect(replaced.audit).toMatch(/^[0-9a-f-]{36}$/);
      expect(replaced.header).toBe(replaced.audit);
    } finally {
      await running.close();
    }
  });
});
