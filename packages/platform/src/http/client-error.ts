import type { Duplex } from 'node:stream';
import { PROBLEM_TYPE_BASE } from './problem.js';

/** What Node's parser refused, as the problem a client is told. */
function problemOfParseError(code: string | undefined): {
  status: number;
  slug: string;
  title: string;
} {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, slug: 'headers-too-large', title: 'Request header fields too large' };
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, slug: 'request-timeout', title: 'Request timeout' };
  }
  return { status: 400, slug: 'malformed-request', title: 'Malformed request' };
}

/**
 * Answers a request Node's HTTP parser refused before any handler ran (headers too large,
 * a malformed request line or header): Node's own answer is a bare status line with no
 * body, this one is problem+json like every other refusal. The connection cannot carry
 * another request after a parse error, so the answer says so and the socket is closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // Node's own rule: nothing is written over a response already under way.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent === true) {
    socket.destroy(error);
    return;
  }
  const { status, slug, title } = problemOfParseError(error.code);
  const body = JSON.stringify({
    type: `${PROBLEM_TYPE_BASE}${slug}`,
    title,
    status,
    detail: 'the request could not be parsed as HTTP/1.1',
  });
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
