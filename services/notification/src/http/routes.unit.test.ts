import { apiRoutes } from '@countersign/contracts';
import { createLogger, routeDrift } from '@countersign/platform';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from 'kysely';
import { describe, expect, it } from 'vitest';
import type { NotificationDatabase } from '../db/types.js';
import { createNotificationApp } from './routes.js';

/** A database handle that never connects: building the app runs no query. */
const unconnected = new Kysely<NotificationDatabase>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

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
    });
    expect(routeDrift(app, apiRoutes, 'notification')).toEqual({
      unserved: [],
      ownedElsewhere: [],
    });
  });
});
