import { apiRoutes } from '@countersign/contracts';
import { createLogger, routeDrift, unconnectedDatabase } from '@countersign/platform';
import { describe, expect, it } from 'vitest';
import type { NotificationDatabase } from '../db/types.js';
import { createNotificationApp } from './routes.js';

/** Building the app runs no query. */
const unconnected = unconnectedDatabase<NotificationDatabase>();

const unused = () => Promise.reject(new Error('not called while routes are only listed'));

describe('the notification service and the route declarations', () => {
  it('serves every route declared as the notification service’s, and none owned elsewhere', () => {
    const app = createNotificationApp({
      db: unconnected,
      logger: createLogger('test', 'silent'),
      verifyToken: unused,
      readiness: [],
      now: () => new Date(),
      checkWebhookUrl: unused,
      webhookLimits: {
        maxEndpointsPerCompany: 20,
        redeliveriesPerEndpoint: 50,
        redeliveriesPerCompany: 200,
        redeliveryWindowMs: 3_600_000,
      },
    });
    expect(routeDrift(app, apiRoutes, 'notification')).toEqual({
      unserved: [],
      ownedElsewhere: [],
    });
  });
});
