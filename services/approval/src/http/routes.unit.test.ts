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
import type { ApprovalDatabase } from '../db/types.js';
import { createApprovalApp } from './routes.js';

/** A database handle that never connects: building the app runs no query. */
const unconnected = new Kysely<ApprovalDatabase>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const unused = () => Promise.reject(new Error('not called while routes are only listed'));

describe('the approval service and the route declarations', () => {
  it('serves every route declared as the approval service’s, and none owned elsewhere', () => {
    const app = createApprovalApp({
      db: unconnected,
      logger: createLogger('test', 'silent'),
      verifyToken: unused,
      readiness: [],
      now: () => new Date(),
    });
    expect(routeDrift(app, apiRoutes, 'approval')).toEqual({ unserved: [], ownedElsewhere: [] });
  });
});
