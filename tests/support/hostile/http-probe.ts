/**
 * Sends requests over kept-alive connections with undici, without retries: a connection the
 * server resets or closes before answering comes back as `dropped`, never as a silent retry.
 */
import { Pool } from 'undici';
import type { HostileRequest } from './hostile-request.js';

export type ProbeResult =
  | { kind: 'answered'; status: number; contentType: string; connection: string; text: string }
  | { kind: 'dropped'; error: string };

export class HttpProbe {
  private readonly pool: Pool;

  constructor(origin: string, connections: number) {
    this.pool = new Pool(origin, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      // An answer that never starts or never ends (a stream opened by mistake) fails as
      // dropped instead of stalling the run for undici's default 300 s.
      headersTimeout: 30_000,
      bodyTimeout: 15_000,
    });
  }

  async send(
    request: Pick<HostileRequest, 'method' | 'target' | 'headers' | 'body'>,
  ): Promise<ProbeResult> {
    try {
      const answer = await this.pool.request({
        method: request.method as 'GET',
        path: request.target,
        headers: request.headers,
        body: request.body ?? null,
        // A request is sent once: a reset must show, not be hidden by a second attempt.
        idempotent: false,
      });
      const text = await answer.body.text();
      const header = (name: string) => {
        const value = answer.headers[name];
        return Array.isArray(value) ? value.join(', ') : (value ?? '');
      };
      return {
        kind: 'answered',
        status: answer.statusCode,
        contentType: header('content-type'),
        connection: header('connection'),
        text,
      };
    } catch (error) {
      const { code, message } = error as { code?: string; message?: string };
      return { kind: 'dropped', error: `${code ?? 'error'}: ${message ?? String(error)}` };
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
