/**
 * The contract behind each operation of /openapi.json, keyed `method path`: the routes the
 * gateway forwards and its own (account, audit), as declared; and the stream routes, whose
 * checks live in their handler (stream-routes.ts), written out here as a contract.
 */
import type { DocumentedRoute } from '@countersign/contracts';
import { z } from 'zod';
import { LAST_EVENT_ID_PATTERN } from '../../../services/gateway/src/domain/feed-resume.js';
import { forwardedRoutes } from '../../../services/gateway/src/http/api-routes.js';
import { auditRouteDocs } from '../../../services/gateway/src/http/audit-routes.js';
import { authRouteDocs } from '../../../services/gateway/src/http/auth-routes.js';

const streamRoutes: DocumentedRoute[] = [
  {
    method: 'get',
    path: '/api/stream',
    summary: 'Real-time feed',
    tag: 'Notifications',
    permission: 'notifications.read',
    query: z.object({
      // An empty one is no Last-Event-ID at all.
      last_event_id: z.union([z.literal(''), z.string().regex(LAST_EVENT_ID_PATTERN)]).optional(),
      // Only a ticket from POST /api/stream/tickets opens it, and none is generated: any
      // ticket sent is refused.
      ticket: z.never().optional(),
    }),
    success: { status: 200, description: 'The stream' },
    refusals: [400, 401, 403, 429],
  },
  {
    method: 'post',
    path: '/api/stream/tickets',
    summary: 'A stream ticket',
    tag: 'Notifications',
    permission: 'notifications.read',
    success: { status: 201, description: 'The ticket' },
    refusals: [401, 403, 429],
  },
];

export const routeContracts = new Map<string, DocumentedRoute>(
  [...authRouteDocs, ...auditRouteDocs, ...forwardedRoutes, ...streamRoutes].map((route) => [
    `${route.method} ${route.path}`,
    route,
  ]),
);
