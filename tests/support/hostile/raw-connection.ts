/**
 * One raw kept-alive TCP connection: write requests by hand (a body too large, chunked or
 * not, then another request) and read back every answer the server sent on it.
 */
import { connect, type Socket } from 'node:net';

export interface Conversation {
  /** Everything the server sent, as latin1 text. */
  text: string;
  /** The answers in it, each from its status line. */
  answers: string[];
  /** Whether the socket was reset rather than closed cleanly. */
  reset: boolean;
}

/**
 * Runs `writes` on a new connection, then reads until the server closes it: the last
 * request written should say `Connection: close`, so a kept connection ends by itself.
 */
export async function converse(
  port: number,
  writes: (socket: Socket) => void,
): Promise<Conversation> {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  let reset = false;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {
    reset = true;
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  writes(socket);
  await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const text = Buffer.concat(chunks).toString('latin1');
  return {
    text,
    answers: text.split(/(?=HTTP\/1\.1 \d{3} )/).filter((part) => part !== ''),
    reset,
  };
}

export function writeWithLength(socket: Socket, head: string, body: Buffer): void {
  socket.write(`${head}Content-Length: ${body.length}\r\n\r\n`);
  socket.write(body);
}

/** The body in chunks of at most 1 MiB, then the last chunk. */
export function writeChunked(socket: Socket, head: string, body: Buffer): void {
  socket.write(`${head}Transfer-Encoding: chunked\r\n\r\n`);
  for (let start = 0; start < body.length; start += 1024 * 1024) {
    const chunk = body.subarray(start, start + 1024 * 1024);
    socket.write(`${chunk.length.toString(16)}\r\n`);
    socket.write(chunk);
    socket.write('\r\n');
  }
  socket.write('0\r\n\r\n');
}

export function closesConnection(answer: string | undefined): boolean {
  return /\r\nconnection: close\r\n/i.test(answer ?? '');
}
