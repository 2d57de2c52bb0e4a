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
import type { ExpenseDatabase } from '../db/types.js';
import { createExpenseApp } from './routes.js';

/** A database handle that never connects: building the app runs no query. */
const unconnected = new Kysely<ExpenseDatabase>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const unused = () => Promise.reject(new Error('not called while routes are only listed'));

describe('the expense service and the route declarations', () => {
  it('serves every route declared as the expense service’s, and none owned elsewhere', () => {
    const app = createExpenseApp({
      db: unconnected,
      logger: createLogger('test', 'silent'),
      verifyToken: unused,
      route: unused,
      readiness: [],
      now: () => new Date(),
      storage: { put: unused, read: unused, remove: unused },
    });
    expect(routeDrift(app, apiRoutes, 'expense')).toEqual({ unserved: [], ownedElsewhere: [] });
  });
});
