import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/** The address of the socket's peer: the client, or the nearest proxy in front of us. */
export function socketAddress(c: Context): string | undefined {
  return getConnInfo(c).remote.address;
}
