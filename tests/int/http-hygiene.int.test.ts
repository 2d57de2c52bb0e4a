import { connect, type Socket } from 'node:net';
import {
  createLogger,
  createServiceApp,
  MAX_BODY_BYTES,
  type RunningServer,
  serveHttp,
} from '@countersign/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let server: RunningServer;

beforeAll(async () => {
  const app = createServiceApp(createLogger('http-hygiene', 'silent'), []);
  app.post('/echo', async (c) => c.json({ bytes: (await c.req.text()).length }));
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

describe('a body refused as too large on a kept-alive connection', () => {
  it('is answered 413 with Connection: close, and the connection is closed, not reused', async () => {
    const oversized = 'x'.repeat(MAX_BODY_BYTES + 1);
    const { text, closed } = await converse((socket) => {
      socket.write(
        `POST /echo HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: ${oversized.length}\r\n\r\n`,
      );
      socket.write(oversized);
      socket.write('GET /hello HTTP/1.1\r\nHost: test\r\n\r\n');
    });
    const answers = text.split(/(?=HTTP\/1\.1 )/);
    expect(answers[0]).toMatch(/^HTTP\/1\.1 413 /);
    expect(answers[0]?.toLowerCase()).toContain('connection: close');
    // The request after it was not read as part of (or instead of) the refused body.
    expect(answers.slice(1).every((answer) => answer.startsWith('HTTP/1.1 200 '))).toBe(true);
    expect(closed).toBe(true);
  });

  it('is answered 413 with Connection: close when the body comes chunked, too', async () => {
    const chunk = 'x'.repeat(MAX_BODY_BYTES + 1);
    const { text, closed } = await converse((socket) => {
      socket.write(
        'POST /echo HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      );
      socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`);
    });
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text.toLowerCase()).toContain('connection: close');
    expect(closed).toBe(true);
  });

  it('keeps the connection for the next request after a body within the limit', async () => {
    const { text } = await converse((socket) => {
      socket.write(
        'POST /echo HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
      );
      socket.write('GET /hello HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n');
    });
    expect(text.match(/HTTP\/1\.1 200 /g)).toHaveLength(2);
  });
});
