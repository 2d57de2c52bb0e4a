import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Env } from 'hono/types';
import { answerClientError } from './client-error.js';

export interface RunningServer {
  port: number;
  /** Stops accepting connections and waits for open requests to finish. */
  close(): Promise<void>;
}

export async function serveHttp<E extends Env>(
  app: Hono<E>,
  host: string,
  port: number,
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server: ServerType = serve({ fetch: app.fetch, hostname: host, port }, (info) => {
      resolve({
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            if ('closeIdleConnections' in server) server.closeIdleConnections();
          }),
      });
    });
    server.once('error', reject);
    server.on('clientError', answerClientError);
  });
}
